//! Compound commands (`{ }`, `( )`, `if`, `for`, `while`, `until`,
//! `case`), function calls and the `EXIT` trap.
//!
//! Loops count their iterations against the shell's
//! [`LoopBudget`](super::limits::LoopBudget) and yield to the runtime every
//! [`LOOP_YIELD`](super::limits::LOOP_YIELD) iterations; compound commands
//! and function calls nest at most [`MAX_NEST`] deep, subshells included.

use std::sync::Arc;

use super::ast::{CaseArm, Compound, FuncBody, Redir, Script, Word};
use super::io::{Input, Io};
use super::limits::{MAX_NEST, NEST_LIMIT};
use super::parser::parse;
use super::pattern::glob_match;
use super::shell::{Flow, Origin, Shell};

/// What a loop does after its body ran.
enum Next {
    Go,
    Stop(Flow),
}

impl Shell {
    /// Runs a compound command with its redirections.
    pub(crate) async fn exec_compound(
        &mut self,
        compound: &Compound,
        redirs: &[Redir],
        line: usize,
        io: &mut Io<'_, '_>,
    ) -> Flow {
        let origin = Origin::Script(line);
        if self.nest + self.depth >= MAX_NEST {
            io.err(format!("{}{NEST_LIMIT}\n", self.prefix(origin)));
            return Flow::Exit(2);
        }
        let mut redirected = match self.redirect(redirs, origin, io).await {
            Ok(redirected) => redirected,
            Err(flow) => return flow,
        };
        let fds = redirected.fds;
        let input = if redirected.null_input {
            Some(Vec::new())
        } else {
            redirected.input.take()
        };
        self.nest += 1;
        let flow = match input {
            Some(data) => {
                let mut input = Input::from_bytes(data);
                let mut sub = Io {
                    input: &mut input,
                    sinks: &mut *io.sinks,
                    fds,
                };
                self.exec_body(compound, line, &mut sub).await
            }
            None => self.exec_body(compound, line, &mut io.with_fds(fds)).await,
        };
        self.nest -= 1;
        self.flush_captures(&mut redirected, io);
        flow
    }

    /// Runs a compound command's body.
    async fn exec_body(&mut self, compound: &Compound, line: usize, io: &mut Io<'_, '_>) -> Flow {
        match compound {
            Compound::Group(script) => self.exec_script(script, io).await,
            Compound::Subshell(script) => self.exec_subshell(script, line, io).await,
            Compound::If { arms, otherwise } => {
                for (cond, body) in arms {
                    match self.exec_condition(cond, io).await {
                        Flow::Normal(0) => return self.exec_script(body, io).await,
                        Flow::Normal(_) => {}
                        other => return other,
                    }
                }
                match otherwise {
                    Some(body) => self.exec_script(body, io).await,
                    None => Flow::Normal(0),
                }
            }
            Compound::For { name, words, body } => {
                self.exec_for(name, words.as_deref(), body, line, io).await
            }
            Compound::While { until, cond, body } => {
                self.exec_while(*until, cond, body, line, io).await
            }
            Compound::Case { word, arms } => self.exec_case(word, arms, line, io).await,
        }
    }

    /// Runs a condition: `-e` does not apply inside it.
    async fn exec_condition(&mut self, cond: &Script, io: &mut Io<'_, '_>) -> Flow {
        let tested = std::mem::replace(&mut self.tested, true);
        let flow = self.exec_script(cond, io).await;
        self.tested = tested;
        flow
    }

    /// `( … )`: a copy of the shell runs the script; nothing leaks out but
    /// the status.
    async fn exec_subshell(&mut self, script: &Script, line: usize, io: &mut Io<'_, '_>) -> Flow {
        let mut sub = match self.subshell() {
            Ok(sub) => sub,
            Err(msg) => {
                io.err(format!("{}{msg}\n", self.prefix(Origin::Script(line))));
                return Flow::Normal(2);
            }
        };
        sub.exit_trap = None;
        sub.loops = 0;
        let status = sub.exec_script(script, io).await.status();
        Flow::Normal(sub.run_exit_trap(status, io).await)
    }

    /// Counts one loop iteration; past the budget the shell exits (2).
    async fn tick(&mut self, line: usize, io: &mut Io<'_, '_>) -> Result<(), Flow> {
        match self.budget.tick() {
            Ok(true) => {
                io.flush().await;
                tokio::task::yield_now().await;
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(msg) => {
                io.err(format!("{}{msg}\n", self.prefix(Origin::Script(line))));
                Err(Flow::Exit(2))
            }
        }
    }

    /// What a loop does with the flow of its body: `break`/`continue` of
    /// this loop are consumed, those of outer loops counted down.
    fn after_body(&mut self, flow: Flow) -> Next {
        match flow {
            Flow::Normal(s) => {
                self.status = s;
                Next::Go
            }
            Flow::Break(n) if n > 1 => Next::Stop(Flow::Break(n - 1)),
            Flow::Break(_) => Next::Stop(Flow::Normal(0)),
            Flow::Continue(n) if n > 1 => Next::Stop(Flow::Continue(n - 1)),
            Flow::Continue(_) => {
                self.status = 0;
                Next::Go
            }
            other => Next::Stop(other),
        }
    }

    /// `for NAME in WORDS; do …; done` (over `"$@"` without `in`).
    async fn exec_for(
        &mut self,
        name: &str,
        words: Option<&[Word]>,
        body: &Script,
        line: usize,
        io: &mut Io<'_, '_>,
    ) -> Flow {
        let items = match words {
            None => self.params.clone(),
            Some(words) => match self.expand_argv(words, io).await {
                Ok(items) => items,
                Err(msg) => return self.expansion_failed(&msg, Origin::Script(line), io),
            },
        };
        self.status = 0;
        self.loops += 1;
        let mut result = Flow::Normal(0);
        for item in items {
            if let Err(flow) = self.tick(line, io).await {
                result = flow;
                break;
            }
            if let Err(msg) = self.set_var(name, &item, false) {
                result = self.expansion_failed(&msg, Origin::Script(line), io);
                break;
            }
            let flow = self.exec_script(body, io).await;
            if let Next::Stop(flow) = self.after_body(flow) {
                result = flow;
                break;
            }
        }
        self.loops -= 1;
        match result {
            Flow::Normal(_) => Flow::Normal(self.status),
            other => other,
        }
    }

    /// `while`/`until COND; do …; done`.
    async fn exec_while(
        &mut self,
        until: bool,
        cond: &Script,
        body: &Script,
        line: usize,
        io: &mut Io<'_, '_>,
    ) -> Flow {
        let mut status = 0;
        self.loops += 1;
        let result = loop {
            if let Err(flow) = self.tick(line, io).await {
                break flow;
            }
            match self.exec_condition(cond, io).await {
                Flow::Normal(s) if (s == 0) != until => {}
                Flow::Normal(_) => break Flow::Normal(status),
                other => match self.after_body(other) {
                    Next::Go => continue,
                    Next::Stop(flow) => break flow,
                },
            }
            let flow = self.exec_script(body, io).await;
            status = flow.status();
            if let Next::Stop(flow) = self.after_body(flow) {
                break flow;
            }
        };
        self.loops -= 1;
        result
    }

    /// `case WORD in PATTERN) …;; esac`: the first arm with a matching
    /// pattern runs.
    async fn exec_case(
        &mut self,
        word: &Word,
        arms: &[CaseArm],
        line: usize,
        io: &mut Io<'_, '_>,
    ) -> Flow {
        let origin = Origin::Script(line);
        let subject = match self.expand_string(word, io).await {
            Ok(s) => s,
            Err(msg) => return self.expansion_failed(&msg, origin, io),
        };
        for arm in arms {
            for pattern in &arm.patterns {
                let pattern = match self.expand_pattern(pattern, io).await {
                    Ok(p) => p,
                    Err(msg) => return self.expansion_failed(&msg, origin, io),
                };
                if glob_match(&pattern, &subject) {
                    return self.exec_script(&arm.body, io).await;
                }
            }
        }
        Flow::Normal(0)
    }

    /// Runs a command name: a function if one has the name, else a builtin
    /// or a simulated program.
    pub(crate) async fn run_command(
        &mut self,
        argv: Vec<String>,
        origin: Origin,
        io: &mut Io<'_, '_>,
    ) -> Flow {
        let func = argv.first().and_then(|name| self.funcs.get(name).cloned());
        match func {
            Some(func) => self.call_function(&func, argv, io).await,
            None => self.run_argv(argv, origin, io).await,
        }
    }

    /// Calls a function with its own positional parameters and frame of
    /// `local` variables.
    async fn call_function(
        &mut self,
        func: &Arc<FuncBody>,
        mut argv: Vec<String>,
        io: &mut Io<'_, '_>,
    ) -> Flow {
        argv.remove(0);
        let params = std::mem::replace(&mut self.params, argv);
        self.locals.push(Vec::new());
        let flow = Box::pin(self.exec_compound(&func.body, &func.redirs, func.line, io)).await;
        if let Some(frame) = self.locals.pop() {
            self.restore(frame);
        }
        self.params = params;
        match flow {
            Flow::Return(s) => Flow::Normal(s),
            other => other,
        }
    }

    /// Runs the `EXIT` trap, if any, once; returns the shell's final
    /// status (the trap's `exit N` replaces it).
    pub(crate) async fn run_exit_trap(&mut self, status: i32, io: &mut Io<'_, '_>) -> i32 {
        let Some(action) = self.exit_trap.take() else {
            return status;
        };
        let Ok(script) = parse(&action, 1) else {
            return status;
        };
        self.status = status;
        self.errexit = false;
        match self.exec_script(&script, io).await {
            Flow::Exit(n) => n,
            _ => status,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::interp::testkit::*;

    #[tokio::test(start_paused = true)]
    async fn endless_recursion_and_loops_are_bounded() {
        check(vec![
            script(
                "f() { f; }; f; echo never",
                "",
                "sh: function nesting too deep\n",
                2,
            ),
            script(
                "f() { echo x | { f; }; }; f",
                "",
                "sh: function nesting too deep\n",
                2,
            ),
            // A loop that never sleeps stops after its budget...
            script(
                "i=0; while :; do i=$((i+1)); done; echo never",
                "",
                "sh: loop iteration limit exceeded\n",
                2,
            ),
            // ...one that sleeps earns more as simulated time passes.
            script(
                "i=0; while [ $i -lt 3 ]; do sleep 1; i=$((i+1)); done; echo $i",
                "3\n",
                "",
                0,
            ),
        ])
        .await;
    }
}
