//! Classifiers: label tables, the shared linear scorer, and the two trainers
//! (sparse multinomial logistic regression and complement naive Bayes) on linfa's traits.

pub mod bayes;
pub mod labels;
pub mod linear;
pub mod logistic;
pub mod nb_scale;
pub mod packed;
