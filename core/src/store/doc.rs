//! The aggregate documents, as the store uses them (see [`crate::aggregate`]).

pub use crate::aggregate::{AggregateDoc, DocError, NewChange};
pub use crate::docid::DocId;
