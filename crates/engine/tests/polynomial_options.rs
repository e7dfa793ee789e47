//! Options of the polynomial families. The mirror period (`period=` in a link): outside its window a network
//! repeats its mirror image instead of extrapolating its polynomials, training works, refinement
//! keeps the function everywhere, and the setting travels in links and model files. A separate
//! segment count for the output layer (`outsegments=`).

use burn::module::Module;
use burn::tensor::Device;
use playground_engine::build::Build;
use playground_engine::experiment::{Experiment, NetKind};
use playground_engine::grow::{refine_network, Refinement};
use playground_engine::network::{Family, Network};
use playground_engine::snapshot::{Snapshot, Weights};

fn outputs(net: &Network, xs: &[f32]) -> Vec<f32> {
    let device = Device::flex();
    net.valid().forward(playground_engine::train::column(xs, &device)).into_data().try_to_vec::<f32>().unwrap()
}

/// Data coordinates of the first layer's coordinate `u` (the network maps its input domain onto [−1, 1]).
fn data_x(net: &Network, u: f32) -> f32 {
    let (lo, hi) = net.spec.input_domain;
    lo + (u + 1.0) * (hi - lo) / 2.0
}

fn worst(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max)
}

#[test]
fn a_mirror_period_repeats_the_mirror_image_and_survives_refinement() {
    for net_kind in [NetKind::Continuous, NetKind::Discontinuous, NetKind::Polynomial] {
        let e = Experiment { net: net_kind, n: 3, segments: 4, depth: 1, width: 3, periodicity: 2.0, ..Experiment::default() };
        let (_, mut trainer) = e.build(&Device::flex().autodiff()).unwrap();
        let first = trainer.step().into_data().try_to_vec::<f32>().unwrap()[0];
        for _ in 0..150 {
            trainer.step();
        }
        let last = trainer.step().into_data().try_to_vec::<f32>().unwrap()[0];
        assert!(last < first, "{net_kind:?}: loss {first} → {last}");
        let net = trainer.network();
        assert!(matches!(net.spec.family, Family::Lagrange { periodicity: Some(p), .. } if p == 2.0));
        // Period 2 in the layer's coordinate: u in [1, 3] mirrors to 2 − u, and u in [−3, −1] to −2 − u.
        let us: Vec<f32> = (0..41).map(|i| 1.0 + 2.0 * i as f32 / 40.0).collect();
        let outside: Vec<f32> = us.iter().flat_map(|&u| [data_x(net, u), data_x(net, -u)]).collect();
        let mirrored: Vec<f32> = us.iter().flat_map(|&u| [data_x(net, 2.0 - u), data_x(net, -2.0 + u)]).collect();
        let error = worst(&outputs(net, &outside), &outputs(net, &mirrored));
        assert!(error < 1e-5, "{net_kind:?}: outside the window the network is not its mirror image ({error})");
        if net_kind != NetKind::Polynomial {
            let wide: Vec<f32> = (0..121).map(|i| data_x(net, -3.0 + 6.0 * i as f32 / 120.0)).collect();
            let before = outputs(net, &wide);
            for how in [Refinement::H, Refinement::P] {
                let (refined, _) = pollster::block_on(refine_network(net, how)).unwrap();
                let error = worst(&before, &outputs(&refined, &wide));
                assert!(error < 1e-5, "{net_kind:?} {how:?}: changed by {error} on [−3, 3]");
                assert!(matches!(refined.spec.family, Family::Lagrange { periodicity: Some(p), .. } if p == 2.0));
            }
        }
    }
}

#[test]
fn the_period_travels_in_links_and_model_files() {
    let e = Experiment { net: NetKind::Continuous, periodicity: 1.5, ..Experiment::default() };
    let link = e.to_link();
    assert!(link.contains("period=1.5"), "{link}");
    let (back, notices) = Experiment::from_link(&link);
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(back.periodicity, 1.5);
    // Off (0) and other families write nothing; nonsense is refused with a notice.
    assert!(!Experiment { net: NetKind::Continuous, ..Experiment::default() }.to_link().contains("period="));
    assert!(!Experiment { net: NetKind::Pwl, periodicity: 2.0, ..Experiment::default() }.to_link().contains("period="));
    let (kept, notices) = Experiment::from_link(&link.replace("period=1.5", "period=banana"));
    assert_eq!(kept.periodicity, 0.0);
    assert_eq!(notices.len(), 1, "{notices:?}");

    let (_, trainer) = e.build(&Device::flex().autodiff()).unwrap();
    let snap = pollster::block_on(Snapshot::take(trainer.network())).unwrap();
    let file = playground_engine::model_file::export(&e, 0, &snap);
    let (exp, _, read) = playground_engine::model_file::import(&file).expect("the exported model reads back");
    assert_eq!(exp.periodicity, 1.5);
    assert_eq!(read.spec.family, snap.spec.family, "the family, period included");
    assert_eq!(read.restore(&Device::flex()).spec.family, snap.spec.family);
}

#[test]
fn the_output_layer_can_have_its_own_segment_count() {
    let e = Experiment { net: NetKind::Continuous, n: 2, segments: 8, output_segments: 2, depth: 1, width: 3, ..Experiment::default() };
    let spec = e.network_spec((-1.0, 1.0));
    assert_eq!(spec.output_segments, Some(2));
    assert_eq!((spec.segments_of_layer(0, 8), spec.segments_of_layer(1, 8)), (8, 2));
    // Continuous, n = 2: `segments + 1` weights per synapse; 1 → 3 (8 segments), 3 → 1 (2 segments).
    assert_eq!(spec.parameter_count(), 3 * 9 + 3 * 3);
    let (_, mut trainer) = e.build(&Device::flex().autodiff()).unwrap();
    assert_eq!(trainer.network().spec.parameter_count(), 36);
    for _ in 0..100 {
        trainer.step();
    }
    let net = trainer.network();
    let xs: Vec<f32> = (0..97).map(|i| data_x(net, -1.0 + 2.0 * i as f32 / 96.0)).collect();
    let (refined, _) = pollster::block_on(refine_network(net, Refinement::H)).unwrap();
    assert_eq!(refined.spec.output_segments, Some(4), "h-refinement splits the output layer's segments too");
    let error = worst(&outputs(net, &xs), &outputs(&refined, &xs));
    assert!(error < 1e-5, "h-refinement changed the function by {error}");
    let link = e.to_link();
    assert!(link.contains("outsegments=2"), "{link}");
    assert_eq!(Experiment::from_link(&link).0.output_segments, 2);
}
