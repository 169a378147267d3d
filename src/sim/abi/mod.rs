//! dom0's event-channel ABI behind one trait: Xen's send, the bits dom0 masks, unmasks and
//! clears, and the order in which dom0's upcall loop finds pending ports.
//!
//! Two implementations: the 2-level ABI ([`TwoLevel`], `two_level.rs`) and the FIFO ABI
//! ([`Fifo`], `fifo.rs`). Linux uses FIFO whenever Xen offers it (Xen 4.4 and later), so a
//! dom0 like the field report's most likely ran FIFO; the lab's first lessons use 2-level.
//! Everything above this trait (the late-EOI core, its throttle, netback) is the same on
//! both: ack = mask + clear pending, EOI = unmask.

mod channels;
pub mod fifo;
mod shared;
mod two_level;

pub use channels::EventChannels;
pub use fifo::Fifo;
pub use shared::{
    BITS_PER_WORD, EventChannelAbi, NR_PORTS, NR_WORDS, SendOutcome, SharedInfo, VcpuInfo,
};
pub use two_level::TwoLevel;
