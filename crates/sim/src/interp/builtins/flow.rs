//! Builtins that steer evaluation: `break`, `continue`, `return`,
//! `local` and `trap`.

use super::super::io::Io;
use super::super::shell::{Flow, Origin, Shell};

impl Shell {
    /// `break [N]`/`continue [N]`: unwinds N enclosing loops (all of them
    /// when fewer); outside a loop, does nothing.
    pub(super) fn loop_control(
        &mut self,
        name: &str,
        args: &[String],
        origin: Origin,
        io: &mut Io<'_, '_>,
    ) -> Flow {
        let n = match args.first() {
            None => 1,
            Some(a) => match a.parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => return self.illegal_number(name, a, origin, io),
            },
        };
        if self.loops == 0 {
            return Flow::Normal(0);
        }
        let n = n.min(self.loops);
        if name == "break" {
            Flow::Break(n)
        } else {
            Flow::Continue(n)
        }
    }

    /// `return [N]`: ends the running function (or the script) with N,
    /// default `$?`.
    pub(super) fn return_builtin(
        &mut self,
        args: &[String],
        origin: Origin,
        io: &mut Io<'_, '_>,
    ) -> Flow {
        match args.first() {
            None => Flow::Return(self.status),
            Some(a) => match a.parse::<i64>() {
                Ok(n) => Flow::Return(n.rem_euclid(256) as i32),
                Err(_) => self.illegal_number("return", a, origin, io),
            },
        }
    }

    /// busybox's error for a bad number operand: the shell exits (2).
    fn illegal_number(&self, name: &str, arg: &str, origin: Origin, io: &mut Io<'_, '_>) -> Flow {
        let prefix = self.builtin_prefix(origin, name);
        io.err(format!("{prefix}Illegal number: {arg}\n"));
        Flow::Exit(2)
    }

    /// `local NAME[=value]…`: the variables get new values until the
    /// function returns (`NAME` alone: empty).
    pub(super) fn local(&mut self, args: &[String], origin: Origin, io: &mut Io<'_, '_>) -> Flow {
        if self.locals.is_empty() {
            let prefix = self.builtin_prefix(origin, "local");
            io.err(format!("{prefix}not in a function\n"));
            return Flow::Exit(2);
        }
        for arg in args.iter().filter(|a| !a.starts_with('-')) {
            let (name, value) = match arg.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (arg.as_str(), None),
            };
            let old = self.vars.find(name).cloned();
            if let Some(frame) = self.locals.last_mut() {
                if !frame.iter().any(|(n, _)| n == name) {
                    frame.push((name.to_string(), old.clone()));
                }
            }
            let value = value.unwrap_or("");
            if let Err(msg) = self.set_var(name, value, false) {
                let prefix = self.builtin_prefix(origin, "local");
                io.err(format!("{prefix}{msg}\n"));
                return Flow::Exit(2);
            }
        }
        Flow::Normal(0)
    }

    /// `trap [ACTION] SIGNAL…`: only `EXIT` (or `0`) is kept (signals never
    /// come to simulated processes); `-` or an empty action clears it.
    /// Without operands, lists the `EXIT` trap as busybox does.
    pub(super) fn trap(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let [action, signals @ ..] = args else {
            if let Some(action) = &self.exit_trap {
                io.out(format!(
                    "trap -- '{}' EXIT\n",
                    action.replace('\'', "'\"'\"'")
                ));
            }
            return 0;
        };
        if signals.iter().any(|s| s == "EXIT" || s == "0") {
            self.exit_trap = (action != "-" && !action.is_empty()).then(|| action.clone());
        }
        0
    }
}
