//! Labelled questions and recall@k: how ranking quality is measured, by the core's bundled
//! search and by the proxy's database search alike.
//!
//! A labelled question is a customer's question (paraphrases and typos included) with the URL
//! of the article that answers it. Recall@k is the share of questions whose article is among
//! the first k results. The demo store's set is `tests/fixtures/help-questions.json`.

use std::fmt;

use serde::Deserialize;

use super::Hit;

/// One customer question and the article that answers it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Labelled {
    pub question: String,
    /// The URL of the article that answers it.
    pub article: String,
}

/// The demo store's labelled questions.
pub fn demo_questions() -> Vec<Labelled> {
    let text = include_str!("../../tests/fixtures/help-questions.json");
    serde_json::from_str(text).expect("the labelled questions are checked by the core's tests")
}

/// How many questions found their article, and what the others found instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Recall {
    pub k: usize,
    pub questions: usize,
    /// Each missed question with the headings it found.
    pub misses: Vec<(String, Vec<String>)>,
}

impl Recall {
    /// The share of questions that found their article, from 0 to 1.
    pub fn ratio(&self) -> f64 {
        if self.questions == 0 {
            return 0.0;
        }
        1.0 - self.misses.len() as f64 / self.questions as f64
    }
}

impl fmt::Display for Recall {
    /// `recall@3: 0.927 (38 of 41 questions)`, then one line per miss.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let found = self.questions - self.misses.len();
        write!(
            f,
            "recall@{}: {:.3} ({found} of {} questions)",
            self.k,
            self.ratio(),
            self.questions
        )?;
        for (question, headings) in &self.misses {
            write!(f, "\n  missed {question:?} → {headings:?}")?;
        }
        Ok(())
    }
}

/// Recall@k of `found`, each question's results best first (`found[i]` for `questions[i]`; a
/// question without results found nothing).
pub fn recall_at(k: usize, questions: &[Labelled], found: &[Vec<Hit>]) -> Recall {
    let misses = questions
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            let hits = found.get(i).map(Vec::as_slice).unwrap_or_default();
            let top = &hits[..hits.len().min(k)];
            (!top.iter().any(|h| h.url == q.article)).then(|| {
                let headings = top.iter().map(|h| h.heading.clone()).collect();
                (q.question.clone(), headings)
            })
        })
        .collect();
    Recall {
        k,
        questions: questions.len(),
        misses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(url: &str) -> Hit {
        Hit {
            title: String::new(),
            url: url.into(),
            heading: url.to_uppercase(),
            anchor: String::new(),
            text: String::new(),
        }
    }

    fn question(article: &str) -> Labelled {
        Labelled {
            question: format!("about {article}"),
            article: article.into(),
        }
    }

    #[test]
    fn only_the_first_k_results_count() {
        let questions = [question("a"), question("b"), question("c")];
        let found = [
            vec![hit("a")],
            vec![hit("x"), hit("y"), hit("b")],
            vec![hit("x"), hit("c")],
        ];
        let recall = recall_at(2, &questions, &found);
        assert_eq!(
            recall.misses,
            [("about b".to_owned(), vec!["X".to_owned(), "Y".to_owned()])]
        );
        assert!((recall.ratio() - 2.0 / 3.0).abs() < 1e-9);
        assert!(recall
            .to_string()
            .starts_with("recall@2: 0.667 (2 of 3 questions)"));
        assert_eq!(recall_at(3, &questions, &found).ratio(), 1.0);
    }

    #[test]
    fn missing_results_are_misses() {
        let recall = recall_at(3, &[question("a")], &[]);
        assert_eq!(recall.ratio(), 0.0);
        assert_eq!(recall_at(3, &[], &[]).ratio(), 0.0);
    }

    #[test]
    fn the_demo_questions_are_readable() {
        assert!(demo_questions().len() >= 30);
    }
}
