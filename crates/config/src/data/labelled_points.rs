//! The user's own 2-D classification points (`kind=field&dataset=points`): placed on the map or
//! read from a CSV of `x,y,label`. Like the 1-D points they are part of the experiment: up to
//! `LINK_POINTS` travel in a link (`fpts=x_y_class*…`), all of them to the engine and in model
//! files.

use std::sync::Arc;

use super::csv_table::Table;
use super::field::{Labelled, MAX_CLASSES};
use super::points::{LINK_POINTS, MAX_POINTS};

/// The user's labelled points in the order they were given.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserLabelled(Arc<Vec<Labelled>>);

impl UserLabelled {
    /// Keeps the first `MAX_POINTS` points with finite coordinates and a class below
    /// `MAX_CLASSES`.
    pub fn new(mut points: Vec<Labelled>) -> UserLabelled {
        points.retain(|p| p.x.is_finite() && p.y.is_finite() && (p.class as usize) < MAX_CLASSES);
        points.truncate(MAX_POINTS);
        UserLabelled(Arc::new(points))
    }

    pub fn as_slice(&self) -> &[Labelled] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn with(&self, p: Labelled) -> UserLabelled {
        let mut v = self.0.to_vec();
        v.push(p);
        UserLabelled::new(v)
    }

    pub fn without(&self, i: usize) -> UserLabelled {
        let mut v = self.0.to_vec();
        if i < v.len() {
            v.remove(i);
        }
        UserLabelled::new(v)
    }

    /// Classes the network tells apart: one more than the largest class present, at least two.
    pub fn class_count(&self) -> usize {
        self.0.iter().map(|p| p.class as usize + 1).max().unwrap_or(0).max(2)
    }

    pub fn fit_in_link(&self) -> bool {
        self.len() <= LINK_POINTS
    }

    /// The link's text: `x_y_class*x_y_class…`.
    pub fn to_text(&self) -> String {
        self.0.iter().map(|p| format!("{}_{}_{}", p.x, p.y, p.class)).collect::<Vec<_>>().join("*")
    }

    /// Points from the link's text; a malformed point is skipped and counted.
    pub fn parse(text: &str) -> (UserLabelled, usize) {
        let mut bad = 0;
        let mut points = Vec::new();
        for item in text.split('*').filter(|s| !s.is_empty()) {
            let mut parts = item.split('_');
            let point = (|| {
                let p = Labelled { x: parts.next()?.parse().ok()?, y: parts.next()?.parse().ok()?, class: parts.next()?.parse().ok()? };
                (parts.next().is_none() && p.x.is_finite() && p.y.is_finite() && (p.class as usize) < MAX_CLASSES).then_some(p)
            })();
            match point {
                Some(p) if points.len() < MAX_POINTS => points.push(p),
                _ => bad += 1,
            }
        }
        (UserLabelled::new(points), bad)
    }

    /// Points from a table of `x, y, label` rows, with a sentence on how they were read. Labels
    /// become classes numbered in increasing order of the label: TensorFlow Playground's −1 and 1
    /// are classes 0 and 1, labels 0, 1, 2… stay themselves. Coordinates
    /// beyond the map's square [−1, 1]² are scaled into it, each axis on its own. More than
    /// `MAX_CLASSES` labels are refused.
    pub fn from_table(table: &Table) -> Result<(UserLabelled, String), String> {
        let mut labels: Vec<f64> = table.rows.iter().map(|r| r[2]).collect();
        labels.sort_by(f64::total_cmp);
        labels.dedup();
        if labels.len() > MAX_CLASSES {
            return Err(format!("the table has {} different labels; at most {MAX_CLASSES} classes can be told apart", labels.len()));
        }
        // Numbered in increasing order: −1, 1 → 0, 1; 0, 1, 2 → themselves; 3, 7 → 0, 1.
        let class_of = |l: f64| labels.iter().position(|x| *x == l).unwrap_or(0) as u32;
        let mut note = format!("{} classes", labels.len().max(2));
        let renamed: Vec<String> = labels.iter().filter(|l| class_of(**l) as f64 != **l).map(|l| format!("label {l} is class {}", class_of(*l))).collect();
        if !renamed.is_empty() {
            note.push_str(&format!(" ({})", renamed.join(", ")));
        }
        let axis = |i: usize| {
            let (lo, hi) = table.rows.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| (lo.min(r[i]), hi.max(r[i])));
            if lo >= -1.0 && hi <= 1.0 {
                None
            } else {
                Some((lo, hi))
            }
        };
        let (sx, sy) = (axis(0), axis(1));
        // Into [−0.95, 0.95], so that no point sits on the map's edge.
        let scale = |v: f64, range: Option<(f64, f64)>| match range {
            Some((lo, hi)) if hi > lo => (-0.95 + 1.9 * (v - lo) / (hi - lo)) as f32,
            Some(_) => 0.0,
            None => v as f32,
        };
        for (name, range) in [("x", sx), ("y", sy)] {
            if let Some((lo, hi)) = range {
                note.push_str(&format!("; {name} from {lo} to {hi} scaled into the map's [−1, 1]"));
            }
        }
        let points = table.rows.iter().map(|r| Labelled { x: scale(r[0], sx), y: scale(r[1], sy), class: class_of(r[2]) }).collect();
        Ok((UserLabelled::new(points), note))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::csv_table;

    fn table(text: &str) -> Table {
        csv_table::read(text.as_bytes(), &["x", "y", "label"]).unwrap()
    }

    #[test]
    fn link_text_reads_back_and_classes_count() {
        let p = UserLabelled::new(vec![Labelled { x: 0.5, y: -0.25, class: 1 }, Labelled { x: 1.0 / 3.0, y: 0.0, class: 0 }]);
        assert_eq!(p.to_text(), "0.5_-0.25_1*0.33333334_0_0");
        assert_eq!(UserLabelled::parse(&p.to_text()), (p.clone(), 0));
        assert_eq!(p.class_count(), 2);
        assert_eq!(p.with(Labelled { x: 0.0, y: 0.0, class: 4 }).class_count(), 5);
        assert_eq!(p.with(Labelled { x: 0.0, y: 0.0, class: 12 }), p, "no class past the last");
        assert_eq!(p.without(0).as_slice(), &[Labelled { x: 1.0 / 3.0, y: 0.0, class: 0 }]);
        assert_eq!(UserLabelled::default().class_count(), 2);
        let (some, bad) = UserLabelled::parse("0.1_0.2_1*0.1_0.2*x_1_1*0.1_0.2_10*0.1_0.2_1_5*NaN_0_0");
        assert_eq!((some.len(), bad), (1, 5));
    }

    #[test]
    fn labels_become_classes_and_coordinates_fit_the_map() {
        // TF Playground's ±1.
        let (p, note) = UserLabelled::from_table(&table("x,y,label\n0.5,0.5,1\n-0.5,-0.5,-1\n")).unwrap();
        assert_eq!(p.as_slice().iter().map(|q| q.class).collect::<Vec<_>>(), vec![1, 0]);
        assert!(note.starts_with("2 classes (label -1 is class 0)"), "{note}");
        // Class numbers from 0.
        let (p, note) = UserLabelled::from_table(&table("0,0,2\n0.1,0.1,0\n0.2,0.2,1\n")).unwrap();
        assert_eq!(p.as_slice().iter().map(|q| q.class).collect::<Vec<_>>(), vec![2, 0, 1]);
        assert_eq!(note, "3 classes");
        // Other labels, numbered in order; coordinates in other units scaled into the square.
        let (p, note) = UserLabelled::from_table(&table("x,y,label\n150,20,7\n190,80,3\n170,50,7\n")).unwrap();
        assert_eq!(p.as_slice().iter().map(|q| q.class).collect::<Vec<_>>(), vec![1, 0, 1]);
        assert_eq!((p.as_slice()[0].x, p.as_slice()[1].x, p.as_slice()[2].x), (-0.95, 0.95, 0.0));
        assert!(note.contains("x from 150 to 190") && note.contains("y from 20 to 80"), "{note}");
        let eleven: String = (0..11).map(|i| format!("0,0,{i}\n")).collect();
        assert!(UserLabelled::from_table(&table(&eleven)).unwrap_err().contains("11 different labels"));
    }
}
