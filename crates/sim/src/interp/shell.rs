//! The shell's state: variables, positional parameters, `$?`, options and
//! the working directory, plus what every part of evaluation shares
//! ([`Flow`], [`Origin`], [`BoxFut`]).
//!
//! The methods that run things are defined next to what they do:
//! `eval` (scripts), `expand` (words), `redirect`, and `builtins`.

use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;

use super::context::{ProcessContext, UnknownCommand};

/// A boxed future: recursive async calls (scripts run commands that run
/// scripts) go through one.
pub(crate) type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Outcome of running something: a status, or an `exit` unwinding the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Normal(i32),
    Exit(i32),
}

impl Flow {
    /// The exit status either way.
    pub(crate) fn status(self) -> i32 {
        match self {
            Flow::Normal(s) | Flow::Exit(s) => s,
        }
    }
}

/// Who runs a command: decides unknown-command handling and message prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The container's argv, or `exec`: unknown commands follow
    /// [`UnknownCommand`].
    Top,
    /// A script command on this line.
    Script(usize),
    /// `env CMD` inside a script, on this line.
    Env(usize),
}

/// A shell variable.
#[derive(Debug, Clone)]
pub(crate) struct Var {
    pub(crate) name: String,
    pub(crate) value: String,
    pub(crate) exported: bool,
}

/// A shell (or a simulated process run by one): its whole state.
#[derive(Debug, Clone)]
pub(crate) struct Shell {
    /// Variables, in creation order (`set` lists them so).
    pub(crate) vars: Vec<Var>,
    /// `$1`, `$2`…
    pub(crate) params: Vec<String>,
    /// `$0`, also the prefix of error messages.
    pub(crate) name: String,
    /// `$?`.
    pub(crate) status: i32,
    pub(crate) cwd: String,
    /// `-e`.
    pub(crate) errexit: bool,
    /// `-x`.
    pub(crate) xtrace: bool,
    pub(crate) hostname: String,
    /// The user spec, as in [`ProcessContext::user`].
    pub(crate) user: String,
    pub(crate) unknown: UnknownCommand,
    /// The container's files, if any.
    pub(crate) files: Option<super::files::Files>,
    /// Status of the last command substitution of the current simple
    /// command (an assignment-only command returns it).
    pub(crate) subst_status: Option<i32>,
}

impl Shell {
    /// The shell of a new process: exported variables from the context,
    /// `PWD` set.
    pub(crate) fn new(ctx: &ProcessContext, unknown: UnknownCommand) -> Shell {
        let cwd = if ctx.working_dir.is_empty() {
            "/".to_string()
        } else {
            ctx.working_dir.clone()
        };
        let mut shell = Shell {
            vars: Vec::new(),
            params: Vec::new(),
            name: "sh".into(),
            status: 0,
            cwd: cwd.clone(),
            errexit: false,
            xtrace: false,
            hostname: ctx.hostname.clone(),
            user: ctx.user.clone(),
            unknown,
            files: ctx.files.clone(),
            subst_status: None,
        };
        for entry in &ctx.env {
            if let Some((k, v)) = entry.split_once('=') {
                shell.set_var(k, v, true);
            }
        }
        if shell.get("PWD").is_none() {
            shell.set_var("PWD", &cwd, false);
        }
        shell
    }

    /// A new process started by this shell: sees exported variables only.
    pub(crate) fn child(&self) -> Shell {
        let mut child = self.clone();
        child.vars.retain(|v| v.exported);
        child.params.clear();
        child.status = 0;
        child.errexit = false;
        child.xtrace = false;
        child.subst_status = None;
        child
    }

    /// A variable's value.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.value.as_str())
    }

    /// Sets a variable; `export` marks it exported (never unmarks).
    pub(crate) fn set_var(&mut self, name: &str, value: &str, export: bool) {
        if let Some(v) = self.vars.iter_mut().find(|v| v.name == name) {
            v.value = value.to_string();
            v.exported |= export;
        } else {
            self.vars.push(Var {
                name: name.to_string(),
                value: value.to_string(),
                exported: export,
            });
        }
    }

    /// `env`'s output: the exported variables, one `NAME=value` a line.
    pub(crate) fn environ(&self) -> String {
        let mut s = String::new();
        for v in self.vars.iter().filter(|v| v.exported) {
            let _ = writeln!(s, "{}={}", v.name, v.value);
        }
        s
    }

    /// The prefix of error messages: `NAME: LINE: ` inside scripts.
    pub(crate) fn prefix(&self, origin: Origin) -> String {
        match origin {
            Origin::Top => String::new(),
            Origin::Script(line) | Origin::Env(line) => format!("{}: {line}: ", self.name),
        }
    }

    /// A parameter's value: special (`$?`, `$#`, `$1`…) or a variable;
    /// `None` when unset.
    pub(crate) fn param(&self, name: &str) -> Option<String> {
        match name {
            "?" => Some(self.status.to_string()),
            "$" => Some("1".into()),
            "#" => Some(self.params.len().to_string()),
            "0" => Some(self.name.clone()),
            "@" | "*" => (!self.params.is_empty()).then(|| self.params.join(" ")),
            "!" => None,
            "-" => {
                let mut f = String::new();
                if self.errexit {
                    f.push('e');
                }
                if self.xtrace {
                    f.push('x');
                }
                Some(f)
            }
            _ if name.chars().all(|c| c.is_ascii_digit()) => name
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|n| self.params.get(n).cloned()),
            _ => self.get(name).map(str::to_string),
        }
    }
}
