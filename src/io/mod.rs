//! Files in and out: labelled CSV, article inputs, prediction output, model files.

pub mod csv;
pub mod input;
pub mod model_file;
pub mod output;
