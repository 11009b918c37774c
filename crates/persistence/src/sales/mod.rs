//! Sales: the product catalogue, pipelines and their stages, and opportunities with the board.

pub mod lines;
pub mod opportunities;
pub mod orders;
pub mod pipelines;
pub mod products;
