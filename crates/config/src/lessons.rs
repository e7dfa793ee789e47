//! The classroom lessons: the classic single-neuron notebook retold step by step in our own words,
//! then a piecewise chapter. Every step is a preset experiment (so it has its own link,
//! `#kind=lesson&lesson=N`), a "predict, then run" question, how far "Run" trains, and what the
//! run shows. The notebook's shared settings: Adam, learning rate 0.03, batches of 32, 50 points
//! with 30 % held out for testing, and one initialisation for every model.

use crate::experiment::{Experiment, NetKind};
use crate::spec::Activation;

pub struct LessonStep {
    pub chapter: &'static str,
    pub title: &'static str,
    pub text: &'static str,
    pub predict: &'static str,
    pub explain: &'static str,
    /// "Run" trains this many steps, then pauses.
    pub steps: u64,
    setup: fn(&mut Experiment),
}

impl LessonStep {
    /// The experiment of this step.
    pub fn experiment(&self, number: usize) -> Experiment {
        let mut e = Experiment {
            points: 50,
            test_fraction: 0.3,
            net: NetKind::Mlp,
            activation: Activation::Identity,
            bias: false,
            width: 1,
            depth: 0,
            learning_rate: 0.03,
            batch: 32,
            lesson: number,
            ..Experiment::default()
        };
        (self.setup)(&mut e);
        e
    }
}

const NEURONS: &str = "Neurons";
const PIECEWISE: &str = "Piecewise synapses";

/// All steps, in order (step N of a link is `STEPS[N − 1]`).
pub const STEPS: &[LessonStep] = &[
    LessonStep {
        chapter: NEURONS,
        title: "One neuron, no bias",
        text: "The smallest network there is: one input, one output, one weight. It computes y = w·x and nothing else. The data lie on a straight line that (almost) passes through the origin.",
        predict: "Can a single weight fit these points?",
        explain: "Yes. The only thing a line through the origin can change is its slope, and that is exactly what w is. Watch w settle: it is the slope of the data.",
        steps: 200,
        setup: |e| e.dataset = "line0".into(),
    },
    LessonStep {
        chapter: NEURONS,
        title: "A line that misses the origin",
        text: "Same neuron, new data: a line shifted down, so that it crosses the y-axis below zero.",
        predict: "Will y = w·x fit it as well as before?",
        explain: "No. Whatever w is, the prediction goes through (0, 0): the neuron tilts the line as well as it can and the loss stays high. It lacks a way to move the line up or down.",
        steps: 200,
        setup: |e| e.dataset = "line".into(),
    },
    LessonStep {
        chapter: NEURONS,
        title: "A bias fixes it",
        text: "Give the neuron a second number, a bias: y = w·x + b.",
        predict: "How low will the loss go now?",
        explain: "Practically to zero: w sets the slope and b the height where the line crosses x = 0. Two numbers, two degrees of freedom of a line.",
        steps: 200,
        setup: |e| {
            e.dataset = "line".into();
            e.bias = true;
        },
    },
    LessonStep {
        chapter: NEURONS,
        title: "Two linear neurons still make a line",
        text: "The target now bends: flat, then falling (an elbow). Put two neurons with biases in a row, without an activation in between: y = w₂(w₁x + b₁) + b₂.",
        predict: "Can two neurons in a row follow the bend?",
        explain: "No. Multiply it out: y = (w₂w₁)·x + (w₂b₁ + b₂) = W·x + B. Stacking linear neurons gives one linear neuron with W = w₂w₁ and B = w₂b₁ + b₂ — the readout shows both. A line cannot bend.",
        steps: 200,
        setup: |e| {
            e.dataset = "elbow".into();
            e.bias = true;
            e.depth = 1;
        },
    },
    LessonStep {
        chapter: NEURONS,
        title: "An activation bends the line",
        text: "Same two neurons, but the first output goes through a ReLU: negative values become 0.",
        predict: "Will the bend appear now?",
        explain: "Yes: ReLU is itself an elbow, max(0, ·). The second neuron scales and shifts it into place. The network is piecewise linear with one kink. But press “New init” a few times: from most starting weights (12 of the first 15 we tried) the ReLU begins “dead” — zero for every input — or with its kink in the wrong place, and never recovers. One neuron is fragile; this step starts from one that works.",
        steps: 200,
        setup: |e| {
            e.dataset = "elbow".into();
            e.bias = true;
            e.depth = 1;
            e.activation = Activation::Relu;
            // A start from which the single ReLU finds the bend (see the explanation).
            e.init_seed = 4;
        },
    },
    LessonStep {
        chapter: NEURONS,
        title: "One ReLU against a zigzag",
        text: "The target zigzags: down, up, down, up. We train the one-ReLU network three times longer.",
        predict: "How many of the zigzag's corners can one ReLU make?",
        explain: "One. A single ReLU has one kink, so the best it can do is a compromise through the middle; more steps do not help.",
        steps: 600,
        setup: |e| {
            e.dataset = "zigzag".into();
            e.bias = true;
            e.depth = 1;
            e.activation = Activation::Relu;
        },
    },
    LessonStep {
        chapter: NEURONS,
        title: "More neurons, more corners",
        text: "Two hidden layers of 10 ReLU neurons each.",
        predict: "Will it find all the corners?",
        explain: "Mostly: every neuron can contribute a kink, and the network places them where the zigzag turns. Small misfits remain where the corners are sharpest.",
        steps: 600,
        setup: |e| {
            e.dataset = "zigzag".into();
            e.bias = true;
            e.depth = 2;
            e.width = 10;
            e.activation = Activation::Relu;
        },
    },
    LessonStep {
        chapter: NEURONS,
        title: "Wide and shallow",
        text: "One hidden layer of 120 ReLU neurons: with enough neurons a single layer can approximate any reasonable curve (the universal approximation theorem).",
        predict: "Compare with the previous step: better, worse, or the same?",
        explain: "It fits, but look at the parameter count: 361 numbers. Width buys corners one neuron at a time: count the linear regions below — at most one more per neuron.",
        steps: 600,
        setup: |e| {
            e.dataset = "zigzag".into();
            e.bias = true;
            e.depth = 1;
            e.width = 120;
            e.activation = Activation::Relu;
        },
    },
    LessonStep {
        chapter: NEURONS,
        title: "Deep and narrow",
        text: "Two hidden layers of 20 ReLU neurons.",
        predict: "Which reaches the lower test loss: this one or the wide one?",
        explain: "Depth composes kinks: the second layer folds what the first built, so corners multiply instead of adding up. Compare the linear regions and the test losses of the two steps, not only the pictures.",
        steps: 600,
        setup: |e| {
            e.dataset = "zigzag".into();
            e.bias = true;
            e.depth = 2;
            e.width = 20;
            e.activation = Activation::Relu;
        },
    },
    LessonStep {
        chapter: NEURONS,
        title: "Noise, and fitting it",
        text: "The points scatter around a gentle wave (green: the line y = x with a small sine added), with noise of 0.3. The wide network from before trains on them.",
        predict: "Will the blue curve follow the green wave or the points?",
        explain: "The points: a flexible network also learns the noise. Watch the two losses: training loss keeps falling while test loss stops improving or rises — overfitting.",
        steps: 600,
        setup: |e| {
            e.dataset = "noisy".into();
            e.noise = 0.3;
            e.bias = true;
            e.depth = 1;
            e.width = 120;
            e.activation = Activation::Relu;
        },
    },
    LessonStep {
        chapter: NEURONS,
        title: "A straight line ignores the noise",
        text: "The same noisy data, and the humblest model: one neuron with a bias — a straight line.",
        predict: "Which will have the better test loss: this line, or the 120 neurons?",
        explain: "The line cannot bend, so it cannot chase the noise: its training loss stays above the noise level (σ² = 0.09). But it also misses the gentle wave, and its test loss (about 0.27) ends worse than the 120 neurons' (about 0.14). Too little flexibility underfits, too much overfits; the right amount lies in between and depends on the data.",
        steps: 200,
        setup: |e| {
            e.dataset = "noisy".into();
            e.noise = 0.3;
            e.bias = true;
        },
    },
    LessonStep {
        chapter: PIECEWISE,
        title: "One piecewise synapse fits the zigzag",
        text: "Now the connection itself becomes a function: a piecewise-linear curve through 5 knots whose heights and positions both learn. One input, one output, one synapse — no hidden layer at all.",
        predict: "Five knots, a zigzag with five corners. Will one synapse do what took 20+ ReLU neurons?",
        explain: "Yes: each knot becomes a corner of the zigzag (orange ticks at the bottom). 8 numbers instead of hundreds.",
        steps: 400,
        setup: |e| {
            e.dataset = "zigzag".into();
            e.net = NetKind::Pwl;
            e.knots = 5;
            e.learn_knots = true;
            e.learning_rate = 0.05;
        },
    },
    LessonStep {
        chapter: PIECEWISE,
        title: "Knots move to where the function bends",
        text: "A synapse with 4 knots, evenly spread at first, learns the elbow. Knot positions are trained like any other parameter.",
        predict: "Where will the two inner knots end up?",
        explain: "One travels to the bend at x = 0, where it is needed; the other has nothing to do and drifts. Learned positions put resolution where the target changes.",
        steps: 400,
        setup: |e| {
            e.dataset = "elbow".into();
            e.net = NetKind::Pwl;
            e.knots = 4;
            e.learn_knots = true;
            e.learning_rate = 0.05;
        },
    },
    LessonStep {
        chapter: PIECEWISE,
        title: "Growing a network without changing it",
        text: "A sine with only 3 knots. Whenever the loss stops improving, a knot is inserted where the fit is worst — placed on the current curve, so the function does not change at the moment of insertion. You can also press “Insert knot” yourself.",
        predict: "Right after an insertion, does the blue curve change?",
        explain: "No: the new knot is placed on the curve, so the prediction is identical at that moment. The optimiser then restarts its running averages (in the browser), so the loss may wiggle for a few steps before the extra knot lets it drop to a new level: the loss curve becomes a staircase.",
        steps: 1500,
        setup: |e| {
            e.dataset = "sine".into();
            e.net = NetKind::Pwl;
            e.knots = 3;
            e.grow = true;
            e.max_knots = 12;
            e.learning_rate = 0.05;
        },
    },
    LessonStep {
        chapter: PIECEWISE,
        title: "h-refinement: more segments, same function",
        text: "A synapse made of polynomial pieces: 2 segments of quadratics (3 points each) on the sine. After the run, press “h-refine”: every segment splits in two.",
        predict: "Does the curve change when the segments split? Does the loss go lower afterwards?",
        explain: "Not at all at the split — each new piece is the old polynomial on half the interval — and then lower, because 4 pieces can bend more than 2. This is how a trained network grows.",
        steps: 300,
        setup: |e| {
            e.dataset = "sine".into();
            e.net = NetKind::Continuous;
            e.n = 3;
            e.segments = 2;
            e.learning_rate = 0.05;
        },
    },
    LessonStep {
        chapter: PIECEWISE,
        title: "p-refinement: higher degree, same function",
        text: "Straight pieces this time (2 points per segment, 4 segments). After the run, press “p-refine”: every piece gains a point, so lines become quadratics.",
        predict: "Which refinement helps a smooth target more: more pieces (h) or higher degree (p)?",
        explain: "For smooth targets, degree wins: a quadratic piece follows a sine's curvature that a line can only cut. The function is again unchanged at the moment of refinement.",
        steps: 300,
        setup: |e| {
            e.dataset = "sine".into();
            e.net = NetKind::Continuous;
            e.n = 2;
            e.segments = 4;
            e.learning_rate = 0.05;
        },
    },
    LessonStep {
        chapter: PIECEWISE,
        title: "Same budget: a piecewise synapse…",
        text: "A fair race on the zigzag. One piecewise synapse with 7 knots: 7 heights + 5 inner positions = 12 parameters.",
        predict: "Write down the test loss you expect; the next step gives a ReLU network the same budget.",
        explain: "Compare the parameter count and the test loss with the next step.",
        steps: 600,
        setup: |e| {
            e.dataset = "zigzag".into();
            e.net = NetKind::Pwl;
            e.knots = 7;
            e.learning_rate = 0.05;
        },
    },
    LessonStep {
        chapter: PIECEWISE,
        title: "…against ReLU neurons",
        text: "Three ReLU neurons in one hidden layer with biases: 3 + 3 + 3 + 1 = 10 parameters, about the same budget.",
        predict: "Which wins on test loss?",
        explain: "The piecewise synapse: it spends every parameter on a knot where the target bends, while each ReLU neuron needs a weight, a bias and an output weight for one kink. That is the playground's point.",
        steps: 600,
        setup: |e| {
            e.dataset = "zigzag".into();
            e.bias = true;
            e.depth = 1;
            e.width = 3;
            e.activation = Activation::Relu;
        },
    },
];

/// Step `number` (from 1), if there is one.
pub fn step(number: usize) -> Option<&'static LessonStep> {
    number.checked_sub(1).and_then(|i| STEPS.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_builds_and_has_its_own_clean_link() {
        assert!(STEPS.len() >= 16);
        assert!(STEPS.iter().filter(|s| s.chapter == PIECEWISE).count() >= 5);
        for (i, s) in STEPS.iter().enumerate() {
            let e = s.experiment(i + 1);
            let link = e.to_link();
            assert!(link.contains(&format!("kind=lesson&lesson={}", i + 1)), "{link}");
            assert_eq!(Experiment::from_link(&link), (e.clone(), vec![]), "step {}", i + 1);
            assert!(e.check_size().is_ok() && e.target().is_ok(), "step {} can be built", i + 1);
        }
        // A bare lesson link opens the step's preset.
        assert_eq!(Experiment::from_link("kind=lesson&lesson=4").0, STEPS[3].experiment(4));
        // The equal-budget pair really has about equal budgets.
        let count = |n: usize| STEPS[n - 1].experiment(n).network_spec((-1.0, 1.0)).parameter_count();
        let (pwl, relu) = (count(STEPS.len() - 1), count(STEPS.len()));
        assert!(pwl.abs_diff(relu) <= 2, "{pwl} vs {relu}");
    }
}
