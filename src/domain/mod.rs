//! The review's domain: nominations, profiles and rubrics, industries, readiness levels,
//! results and the chair's decisions. Pure data and rules.

pub mod access;
pub mod batch;
pub mod decided;
pub mod decisions;
pub mod industry;
pub mod marks;
pub mod profile;
pub mod results;
pub mod rounds;
pub mod rubric;
pub mod trl;
pub mod vote;
