//! Every file the program writes goes through here (filled in by the one-writer work).
