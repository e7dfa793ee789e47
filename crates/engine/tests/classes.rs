//! Several classes: softmax cross-entropy against hand values and finite differences, the data
//! sets of three and more classes train to high accuracy, and two classes may use cross-entropy
//! too.

use burn::tensor::{Device, Tensor, TensorData};
use playground_engine::build::Build;
use playground_engine::experiment::{field_rows, Experiment, Kind};
use playground_engine::metrics::{self, accuracy, predicted_classes};
use playground_engine::snapshot::read;
use playground_engine::spec::Loss;
use playground_engine::train::cross_entropy;
use pollster::block_on;

fn matrix(values: &[f32], cols: usize, device: &Device) -> Tensor<2> {
    Tensor::<1>::from_data(TensorData::new(values.to_vec(), [values.len()]), device).reshape([values.len() / cols, cols])
}

fn host(t: Tensor<1>) -> f64 {
    block_on(read(t)).unwrap()[0] as f64
}

#[test]
fn cross_entropy_matches_hand_values_and_its_gradient_finite_differences() {
    let device = Device::flex();
    let logits = [2.0f32, 0.0, -1.0, 0.5, 0.5, 0.5, -3.0, 4.0, 1.0];
    let classes = [0u32, 2, 1];
    let onehot: Vec<f32> = classes.iter().flat_map(|&c| (0..3).map(move |j| if j == c { 1.0 } else { 0.0 })).collect();
    let engine = host(cross_entropy(matrix(&logits, 3, &device), matrix(&onehot, 3, &device)));
    // Row by row: −log softmax at the class.
    let hand = |row: &[f64], c: usize| (row.iter().map(|v| v.exp()).sum::<f64>()).ln() - row[c];
    let want = (hand(&[2.0, 0.0, -1.0], 0) + hand(&[0.5, 0.5, 0.5], 2) + hand(&[-3.0, 4.0, 1.0], 1)) / 3.0;
    assert!((engine - want).abs() < 1e-6, "{engine} vs {want}");
    assert!((metrics::cross_entropy(&logits, 3, &classes) - want).abs() < 1e-12);
    // The gradient by autodiff is (softmax − one-hot) / rows; check it against central
    // differences of the loss itself.
    let ad = Device::flex().autodiff();
    let x = matrix(&logits, 3, &ad).require_grad();
    let loss = cross_entropy(x.clone(), matrix(&onehot, 3, &ad));
    let grads = loss.backward();
    let g = x.grad(&grads).unwrap().into_data().convert::<f32>().try_into_vec::<f32>().unwrap();
    let f = |v: &[f32]| metrics::cross_entropy(v, 3, &classes);
    for i in 0..logits.len() {
        let (mut up, mut down) = (logits, logits);
        up[i] += 1e-3;
        down[i] -= 1e-3;
        let numeric = (f(&up) - f(&down)) / 2e-3;
        assert!((g[i] as f64 - numeric).abs() < 1e-4, "logit {i}: autodiff {} vs {numeric}", g[i]);
    }
}

/// Train a field experiment for up to `max_steps` and return (best test accuracy, steps taken).
fn train_until(exp: &Experiment, target: f64, max_steps: usize) -> (f64, usize) {
    let (samples, mut trainer) = exp.build_field(&Device::flex().autodiff()).unwrap();
    let outputs = trainer.rows().outputs;
    let (test_x, _) = field_rows(&samples.test, exp.rotate, outputs);
    let truth: Vec<u32> = samples.test.iter().map(|p| p.class).collect();
    let mut best = 0.0f64;
    for round in 1..=max_steps / 100 {
        for _ in 0..100 {
            trainer.step();
        }
        let predicted = predicted_classes(&block_on(read(trainer.predict(&test_x))).unwrap(), outputs);
        best = best.max(accuracy(&predicted, &truth));
        if best >= target {
            return (best, round * 100);
        }
    }
    (best, max_steps)
}

#[test]
fn the_three_arm_spiral_reaches_85_percent_with_cross_entropy() {
    let exp = Experiment { dataset: "spiral3".into(), points: 600, width: 8, ..Experiment::default_for(Kind::Field) };
    // Three classes: one output per class and cross-entropy, whatever the link's loss says.
    assert_eq!((exp.class_count(), exp.effective_loss(), exp.io()), (3, Loss::CrossEntropy, (4, 3)));
    let (best, steps) = train_until(&exp, 0.85, 6000);
    eprintln!("three-arm spiral: {:.1} % test accuracy after {steps} steps", best * 100.0);
    assert!(best >= 0.85, "three-arm spiral test accuracy {best}");
}

#[test]
fn blobs_of_five_classes_and_two_classes_under_cross_entropy_train() {
    let blobs = Experiment::from_link("kind=field&dataset=blobs&classes=5&noise=0.1").0;
    assert_eq!(blobs.io(), (4, 5));
    let (best, steps) = train_until(&blobs, 0.95, 3000);
    eprintln!("five blobs: {:.1} % after {steps} steps", best * 100.0);
    assert!(best >= 0.95, "five blobs {best}");
    let circle = Experiment { loss: Loss::CrossEntropy, ..Experiment::default_for(Kind::Field) };
    assert_eq!(circle.io(), (4, 2));
    assert!(circle.to_link().contains("loss=ce"));
    let (best, steps) = train_until(&circle, 0.95, 3000);
    eprintln!("circle under cross-entropy: {:.1} % after {steps} steps", best * 100.0);
    assert!(best >= 0.95, "circle under cross-entropy {best}");
}

#[test]
fn placed_and_uploaded_points_train_and_replay() {
    use playground_engine::data::csv_table;
    use playground_engine::data::field::Labelled;
    use playground_engine::data::labelled_points::UserLabelled;
    use playground_engine::run::{Assets, Run};
    // Four placed points, XOR-like, everything for training.
    let placed = UserLabelled::new(vec![
        Labelled { x: -0.5, y: -0.5, class: 1 },
        Labelled { x: 0.5, y: 0.5, class: 1 },
        Labelled { x: -0.5, y: 0.5, class: 0 },
        Labelled { x: 0.5, y: -0.5, class: 0 },
    ]);
    let exp = Experiment { dataset: "points".into(), field_points: placed, test_fraction: 0.0, ..Experiment::default_for(Kind::Field) };
    let link = exp.to_link();
    assert!(link.contains("dataset=points") && link.contains("fpts=-0.5_-0.5_1*0.5_0.5_1*-0.5_0.5_0*0.5_-0.5_0"), "{link}");
    assert!(!link.contains("points=") && !link.contains("noise="), "{link}");
    assert_eq!(Experiment::from_link(&link), (exp.clone(), vec![]));
    let device = Device::flex().autodiff();
    let mut run = block_on(Run::from_experiment(&exp, Assets::default(), &device)).unwrap();
    let out = block_on(run.advance(200)).unwrap();
    assert!(out.last_loss.unwrap() < 0.05, "four placed points: loss {:?}", out.last_loss);
    // A class's table of three labels: cross-entropy over three outputs.
    let text = "x,y,label\n".to_string()
        + &(0..90).map(|i| { let a = i as f64 / 90.0 * 6.283; format!("{},{},{}\n", 40.0 + 10.0 * a.cos(), 5.0 * a.sin(), [2, 5, 9][i % 3]) }).collect::<String>();
    let table = csv_table::read(text.as_bytes(), &["x", "y", "label"]).unwrap();
    let (points, note) = UserLabelled::from_table(&table).unwrap();
    assert!(note.starts_with("3 classes (label 2 is class 0, label 5 is class 1, label 9 is class 2)"), "{note}");
    let uploaded = Experiment { field_points: points, test_fraction: 0.3, ..exp };
    assert_eq!((uploaded.class_count(), uploaded.effective_loss(), uploaded.io()), (3, Loss::CrossEntropy, (4, 3)));
    // The share link says how many; the engine's link carries them all and replays exactly.
    assert!(uploaded.to_link().contains("fpts=n90"));
    let (opened, notices) = Experiment::from_link(&uploaded.to_engine_link());
    assert_eq!((opened.clone(), notices), (uploaded.clone(), vec![]));
    let mut a = block_on(Run::from_experiment(&uploaded, Assets::default(), &device)).unwrap();
    let mut b = block_on(Run::from_experiment(&opened, Assets::default(), &device)).unwrap();
    block_on(a.advance(50)).unwrap();
    for _ in 0..10 {
        block_on(b.advance(5)).unwrap();
    }
    assert_eq!(a.history(), b.history());
    // No point yet: a run that trains nothing and says why.
    let empty = Experiment { field_points: UserLabelled::default(), ..uploaded };
    let run = block_on(Run::from_experiment(&empty, Assets::default(), &device)).unwrap();
    assert!(run.nothing_to_train().is_some());
}
