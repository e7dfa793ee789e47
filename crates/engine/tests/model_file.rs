//! Model files round-trip for every family, and bad or tampered files are refused.

use burn::tensor::Device;
use playground_engine::build::Build;
use playground_engine::data::UserPoints;
use playground_engine::experiment::{Experiment, Kind, NetKind};
use playground_engine::model_file::{export, import, FORMAT};
use playground_engine::snapshot::{Snapshot, Weights};

fn exported(exp: &Experiment) -> String {
    let (_, trainer) = exp.build(&Device::flex().autodiff()).unwrap();
    let snap = pollster::block_on(Snapshot::take(trainer.network())).unwrap();
    export(exp, 42, &snap)
}

#[test]
fn models_round_trip_for_every_family() {
    for net in NetKind::ALL {
        let exp = Experiment { net, depth: 1, width: 3, ..Experiment::default() };
        let text = exported(&exp);
        let (back, steps, snap) = import(&text).unwrap();
        assert_eq!((back, steps), (exp.clone(), 42), "{net:?}");
        assert_eq!(export(&exp, 42, &snap), text, "{net:?}: byte-identical re-export");
    }
    // A knot grid per synapse round-trips too; a file whose layer disagrees is refused.
    let exp = Experiment { synapse_knots: true, depth: 1, width: 3, ..Experiment::default() };
    let text = exported(&exp);
    let (back, _, snap) = import(&text).unwrap();
    assert_eq!(back, exp);
    assert_eq!(export(&exp, 42, &snap), text);
    assert!(import(&text.replace("\"per_synapse\":true", "\"per_synapse\":false")).is_err());
    // The user's own points travel in the file, however many (a share link carries at most 64).
    let many = UserPoints::new((0..500).map(|i| [i as f32 / 250.0 - 1.0, (i as f32 / 40.0).sin()]).collect());
    let exp = Experiment { dataset: "points".into(), user_points: many, ..Experiment::default() };
    let (back, _, _) = import(&exported(&exp)).unwrap();
    assert_eq!(back, exp);
    let field = Experiment::default_for(Kind::Field);
    let (_, trainer) = field.build_field(&Device::flex().autodiff()).unwrap();
    let snap = pollster::block_on(Snapshot::take(trainer.network())).unwrap();
    assert!(import(&export(&field, 0, &snap)).is_ok());
}

#[test]
fn bad_model_files_are_refused() {
    let good = exported(&Experiment { depth: 1, width: 2, ..Experiment::default() });
    let err = |t: &str| import(t).unwrap_err();
    assert!(err("").contains("not a model file"));
    assert!(err("{\"format\": 3}").contains("not a model file"));
    assert!(err(&good.replace(FORMAT, "piecewise-model/9")).contains("unknown model format"));
    assert!(err(&good.replace("\"steps\":42", "\"steps\":-1")).contains("not a model file"));
    // Tampering: a weight removed, a width changed, a non-number, a foreign link.
    let v: serde_json::Value = serde_json::from_str(&good).unwrap();
    let mut short = v.clone();
    short["network"]["layers"][0]["values"].as_array_mut().unwrap().pop();
    assert!(err(&short.to_string()).contains("wrong number of weights"));
    let mut wide = v.clone();
    wide["network"]["spec"]["widths"][1] = 3.into();
    assert!(import(&wide.to_string()).is_err());
    let mut huge = v.clone();
    huge["network"]["layers"][0]["knots"] = 1_000_000_000u64.into();
    assert!(import(&huge.to_string()).is_err());
    let mut other = v.clone();
    other["link"] = "kind=field".into();
    assert!(err(&other.to_string()).contains("do not belong"));
    let mut broken_link = v;
    broken_link["link"] = "knots=abc".into();
    assert!(err(&broken_link.to_string()).contains("link is damaged"));
    // Random truncations never panic.
    for cut in (0..good.len()).step_by(97) {
        let _ = import(&good[..cut]);
    }
}
