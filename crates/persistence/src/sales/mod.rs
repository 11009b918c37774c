//! Sales: the product catalogue, pipelines and their stages, and opportunities with the board.

pub mod opportunities;
pub mod pipelines;
pub mod products;
