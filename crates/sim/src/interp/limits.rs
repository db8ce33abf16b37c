//! Bounds on what one simulated process may hold at once, so that no script,
//! however small, can make the daemon allocate without limit (a 1 MB variable
//! expanded a hundred times, a variable doubled in a loop of assignments, a
//! pipe from an endless `seq`, shells nesting themselves).
//!
//! Going past a bound fails the way a real shell fails when it runs out of
//! memory or processes: dash's `Out of space` (status 2) for expansions,
//! variables and command substitutions, `Cannot fork` for shells nested too
//! deep. Output is never held whole: it leaves in chunks of at most
//! [`MAX_CHUNK`] bytes through a bounded channel, and a pipe stage's output is
//! cut at [`MAX_VALUE`] (its writer stops as at a closed pipe).

/// Largest expansion of one command's words (all fields together), value of
/// one variable, command substitution, pipe between two stages, stdin line or
/// script read from stdin: 4 MiB.
pub(crate) const MAX_VALUE: usize = 4 << 20;

/// Largest file a command reads, writes or sorts whole: 64 MiB. A bigger one
/// is `File too large` (`EFBIG`) to write and `out of memory` to read.
pub const MAX_FILE: usize = 64 << 20;

/// Most entries one command walks (`cp -r`, `rm -r`, `find`, `grep -r`,
/// `mv` of a directory): 100 000. Past it the command fails
/// (`Argument list too long`) instead of walking on.
pub const MAX_TREE: usize = 100_000;

/// Largest total of every variable of one shell (names and values): 32 MiB,
/// twice the request body limit, so any environment a container was created
/// with fits.
pub(crate) const MAX_VARS: usize = 32 << 20;

/// Largest output chunk the process sends: 256 KiB (one WebSocket message or
/// stream frame at most).
pub const MAX_CHUNK: usize = 256 << 10;

/// Deepest nesting of shells (`sh -c`, command substitutions, subshells of
/// pipes and `&`) and of `$(…)`/`${…}` in a script's text.
pub(crate) const MAX_DEPTH: usize = 64;

/// Most work `${V#pattern}` and friends may do with a wildcard pattern:
/// every prefix (or suffix) of the value is matched, so the bound is on
/// `len(value)² × (len(pattern) + 1)` (a 1 KiB path with a short pattern
/// is well within it).
pub(crate) const MAX_TRIM: usize = 1 << 27;

/// Loop iterations a shell may run at once, before simulated time counts.
pub(crate) const LOOP_BURST: u64 = 100_000;

/// Loop iterations a shell earns per second of (simulated) time: a loop
/// that sleeps runs forever, one that never does stops after
/// [`LOOP_BURST`] plus this many a second.
pub(crate) const LOOP_RATE: u64 = 10_000;

/// Loop iterations between two yields to the runtime, so that a busy loop
/// never holds a worker thread.
pub(crate) const LOOP_YIELD: u64 = 256;

/// The message when a script's loops went past their budget.
pub(crate) const LOOP_LIMIT: &str = "loop iteration limit exceeded";

/// Deepest nesting of compound commands being run (a function call runs
/// its body, one), plus the shells that run them ([`MAX_DEPTH`]): every
/// level costs stack (about 17 KiB in a debug build, 3 KiB in release), so
/// that 64 levels fit well in the 2 MiB of a runtime worker thread.
pub(crate) const MAX_NEST: usize = MAX_DEPTH;

/// The message past [`MAX_NEST`] (a function calling itself forever).
pub(crate) const NEST_LIMIT: &str = "function nesting too deep";

/// A shell's count of loop iterations against [`LOOP_BURST`] and
/// [`LOOP_RATE`] (shared by its subshells' copies only as a snapshot).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LoopBudget {
    start: tokio::time::Instant,
    spent: u64,
}

impl LoopBudget {
    /// A budget starting now.
    pub(crate) fn new() -> LoopBudget {
        LoopBudget {
            start: tokio::time::Instant::now(),
            spent: 0,
        }
    }

    /// Counts one iteration: `Err` past the budget, `Ok(true)` when it is
    /// time to yield.
    pub(crate) fn tick(&mut self) -> Result<bool, &'static str> {
        self.spent += 1;
        if self.spent > LOOP_BURST {
            let secs = self.start.elapsed().as_secs();
            if self.spent > LOOP_BURST.saturating_add(LOOP_RATE.saturating_mul(secs)) {
                return Err(LOOP_LIMIT);
            }
        }
        Ok(self.spent % LOOP_YIELD == 0)
    }
}

/// dash's message when an allocation fails.
pub(crate) const OUT_OF_SPACE: &str = "Out of space";

/// dash's message when it cannot start another process.
pub(crate) const CANNOT_FORK: &str = "Cannot fork";

#[cfg(test)]
mod tests {
    use crate::interp::testkit::*;
    use crate::interp::{ProcessContext, UnknownCommand};

    /// [`ctx`] with `B` holding 1 MiB of `b`.
    fn big_ctx() -> ProcessContext {
        let mut ctx = ctx();
        ctx.env.push(format!("B={}", "b".repeat(1 << 20)));
        ctx
    }

    async fn run_script(text: &str) -> (String, String, i32) {
        let argv = sh(text);
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        run_with(&argv, UnknownCommand::Echo, &big_ctx(), None).await
    }

    /// `(stdout length, stderr, status)`: outputs here are megabytes.
    async fn outcome(text: &str) -> (usize, String, i32) {
        let (out, err, status) = run_script(text).await;
        (out.len(), err, status)
    }

    #[tokio::test(start_paused = true)]
    async fn an_expansion_over_the_bound_is_out_of_space() {
        // The reproduction: a 1 MiB value expanded 100 times.
        let many = "$B".repeat(100);
        let want = (0, "sh: Out of space\n".to_string(), 2);
        assert_eq!(outcome(&format!("echo {many}")).await, want);
        assert_eq!(outcome(&format!("echo \"{many}\"")).await, want);
        // The words of one command count together.
        assert_eq!(outcome("echo $B $B $B $B $B").await, want);
        // Under the bound it works, in chunks of at most MAX_CHUNK (the
        // test kit checks every chunk).
        assert_eq!(
            outcome("echo $B$B$B").await,
            (3 << 20 | 1, String::new(), 0)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn variables_are_bounded_one_by_one_and_together() {
        let err = || "sh: Out of space\n".to_string();
        // Doubling a variable stops at MAX_VALUE.
        let doubling = "X=$B$B\nX=$X$X\nX=$X$X\necho never";
        assert_eq!(outcome(doubling).await, (0, err(), 2));
        assert_eq!(outcome("${X:=$B$B$B$B$B}").await, (0, err(), 2));
        // Thirty-two 1 MiB variables (with `B`) are over MAX_VARS.
        let many: String = (0..40).map(|i| format!("V{i}=$B\n")).collect();
        assert_eq!(outcome(&format!("{many}echo never")).await, (0, err(), 2));
        let exports: String = (0..40).map(|i| format!("export V{i}=$B\n")).collect();
        assert_eq!(
            outcome(&format!("{exports}echo never")).await,
            (0, "sh: export: line 30: Out of space\n".to_string(), 2)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn substitutions_and_pipes_are_bounded() {
        let err = "sh: Out of space\n".to_string();
        assert_eq!(outcome("X=$(echo $B$B$B; echo $B$B)").await, (0, err, 2));
        // An endless writer into a pipe stops once the pipe is full.
        assert_eq!(
            run_script("seq 1 1000000000000 | head -n 2").await,
            ("1\n2\n".to_string(), String::new(), 0)
        );
        assert_eq!(
            run_script("printf %65536s%65536s $(seq 1 100) >/dev/null")
                .await
                .1,
            "printf: Out of space\n"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn shells_nest_at_most_max_depth_deep() {
        // A shell that runs itself again, forever.
        let (out, err, status) = run_script("X='sh -c \"$X\"'; export X; sh -c \"$X\"").await;
        assert_eq!(
            (out.as_str(), err.as_str(), status),
            ("", "sh: Cannot fork\n", 2)
        );
        // Deep nesting in the text is a syntax error, not a stack overflow.
        let deep = format!("echo {}x{}", "$(echo ".repeat(10_000), ")".repeat(10_000));
        let (_, err, status) = run_script(&deep).await;
        assert_eq!(
            (err.as_str(), status),
            ("sh: syntax error: nesting too deep\n", 2)
        );
        let deep = format!("echo {}x{}", "${X:-".repeat(10_000), "}".repeat(10_000));
        assert_eq!(run_script(&deep).await.2, 2);
    }
}
