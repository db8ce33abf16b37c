//! Simulated processes: nothing runs, but commands behave like processes.
