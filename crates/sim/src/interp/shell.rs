//! The shell's state: variables, positional parameters, `$?`, options and
//! the working directory, plus what every part of evaluation shares
//! ([`Flow`], [`Origin`], [`BoxFut`]).
//!
//! The methods that run things are defined next to what they do:
//! `eval` (scripts), `expand` (words), `redirect`, and `builtins`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::ast::FuncBody;
use super::context::{ProcessContext, UnknownCommand};
use super::limits::{MAX_DEPTH, MAX_VALUE, MAX_VARS, OUT_OF_SPACE};

/// A boxed future: recursive async calls (scripts run commands that run
/// scripts) go through one.
pub(crate) type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Outcome of running something: a status, or what unwinds the shell
/// (`exit`), a function (`return`) or loops (`break`, `continue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Normal(i32),
    Exit(i32),
    /// `return N`: unwinds to the function call (or ends the script).
    Return(i32),
    /// `break N`: unwinds N enclosing loops.
    Break(usize),
    /// `continue N`: unwinds to the next iteration of the Nth loop.
    Continue(usize),
}

impl Flow {
    /// The exit status (`$?` afterwards).
    pub(crate) fn status(self) -> i32 {
        match self {
            Flow::Normal(s) | Flow::Exit(s) | Flow::Return(s) => s,
            Flow::Break(_) | Flow::Continue(_) => 0,
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

/// Where a shell's script comes from, as busybox ash's error messages tell
/// it: whether they name the script (ash's `commandname`) and how lines
/// count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Numbering {
    /// `sh -c SCRIPT [NAME]`: lines counted from 0, shown (with `NAME`)
    /// only when the invocation names the script, or for a builtin.
    Command { named: bool },
    /// `sh FILE`: `FILE: line N: ` always.
    File,
    /// A script read from stdin: lines shown for builtins only.
    #[default]
    Stdin,
}

/// A shell variable.
#[derive(Debug, Clone)]
pub(crate) struct Var {
    pub(crate) name: Arc<str>,
    pub(crate) value: Arc<str>,
    pub(crate) exported: bool,
}

impl Var {
    /// What the variable counts against [`MAX_VARS`]: its text plus a fixed
    /// overhead, so that many tiny variables are bounded too.
    fn cost(&self) -> usize {
        self.name.len() + self.value.len() + VAR_OVERHEAD
    }
}

/// The fixed part of a variable's cost (at most 128 Ki variables).
const VAR_OVERHEAD: usize = 256;

/// A shell's variables, in creation order, bounded by [`MAX_VARS`] in all
/// and [`MAX_VALUE`] each. Cheap to clone (subshells): shared until changed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vars {
    list: Arc<Vec<Var>>,
    bytes: usize,
}

impl Vars {
    /// The variables, oldest first.
    pub(crate) fn iter(&self) -> std::slice::Iter<'_, Var> {
        self.list.iter()
    }

    /// A variable by name.
    pub(crate) fn find(&self, name: &str) -> Option<&Var> {
        self.list.iter().find(|v| &*v.name == name)
    }

    /// Sets a variable; `export` marks it exported (never unmarks). Fails
    /// with `Out of space`, changing nothing, past the bounds.
    pub(crate) fn set(&mut self, name: &str, value: &str, export: bool) -> Result<(), String> {
        let old = self.find(name).map_or(0, Var::cost);
        let new = name.len() + value.len() + VAR_OVERHEAD;
        if value.len() > MAX_VALUE || self.bytes - old + new > MAX_VARS {
            return Err(OUT_OF_SPACE.to_string());
        }
        self.bytes = self.bytes - old + new;
        let list = Arc::make_mut(&mut self.list);
        if let Some(v) = list.iter_mut().find(|v| &*v.name == name) {
            v.value = value.into();
            v.exported |= export;
        } else {
            list.push(Var {
                name: name.into(),
                value: value.into(),
                exported: export,
            });
        }
        Ok(())
    }

    /// Puts back a variable as it was (it was within the bounds then).
    pub(crate) fn put(&mut self, var: Var) {
        let list = Arc::make_mut(&mut self.list);
        self.bytes += var.cost();
        match list.iter_mut().find(|v| v.name == var.name) {
            Some(v) => self.bytes -= std::mem::replace(v, var).cost(),
            None => list.push(var),
        }
    }

    /// Marks a variable exported.
    pub(crate) fn export(&mut self, name: &str) {
        if let Some(v) = Arc::make_mut(&mut self.list)
            .iter_mut()
            .find(|v| &*v.name == name)
        {
            v.exported = true;
        }
    }

    /// Removes a variable.
    pub(crate) fn remove(&mut self, name: &str) {
        self.retain(|v| &*v.name != name);
    }

    /// Keeps the variables `keep` accepts.
    pub(crate) fn retain(&mut self, keep: impl Fn(&Var) -> bool) {
        if self.list.iter().all(&keep) {
            return;
        }
        let list = Arc::make_mut(&mut self.list);
        list.retain(keep);
        self.bytes = list.iter().map(Var::cost).sum();
    }
}

/// A shell (or a simulated process run by one): its whole state.
#[derive(Debug, Clone)]
pub(crate) struct Shell {
    /// Variables, in creation order (`set` lists them so).
    pub(crate) vars: Vars,
    /// `$1`, `$2`…
    pub(crate) params: Vec<String>,
    /// `$0`, also the prefix of error messages.
    pub(crate) name: String,
    /// How error messages name the script and count its lines.
    pub(crate) numbering: Numbering,
    /// The name the shell was invoked by, without its directory: the prefix
    /// of the messages of busybox's applets built into the shell (`test`).
    pub(crate) applet: String,
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
    /// How many shells run this one (`sh -c`, `$(…)`, pipe stages, `&`).
    pub(crate) depth: usize,
    /// `-o pipefail`.
    pub(crate) pipefail: bool,
    /// `-u`.
    pub(crate) nounset: bool,
    /// Commands run as a condition (`if`, `while`, left of `&&`, `!`):
    /// `-e` does not apply to them.
    pub(crate) tested: bool,
    /// Functions by name (shared until one is defined).
    pub(crate) funcs: Arc<HashMap<String, Arc<FuncBody>>>,
    /// One frame per running function: the variables `local` replaced.
    pub(crate) locals: Vec<Vec<(String, Option<Var>)>>,
    /// How many loops enclose the running command (`break` needs one).
    pub(crate) loops: usize,
    /// How many compound commands and function calls enclose it.
    pub(crate) nest: usize,
    /// The `trap … EXIT` action.
    pub(crate) exit_trap: Option<String>,
    /// Loop iterations run, against [`super::limits::LoopBudget`].
    pub(crate) budget: super::limits::LoopBudget,
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
            vars: Vars::default(),
            params: Vec::new(),
            name: "sh".into(),
            numbering: Numbering::default(),
            applet: "sh".into(),
            status: 0,
            cwd: cwd.clone(),
            errexit: false,
            xtrace: false,
            hostname: ctx.hostname.clone(),
            user: ctx.user.clone(),
            unknown,
            files: ctx.files.clone(),
            subst_status: None,
            depth: 0,
            pipefail: false,
            nounset: false,
            tested: false,
            funcs: Arc::default(),
            locals: Vec::new(),
            loops: 0,
            nest: 0,
            exit_trap: None,
            budget: super::limits::LoopBudget::new(),
        };
        // An environment past the bounds is cut (the rest is not seen).
        for entry in &ctx.env {
            if let Some((k, v)) = entry.split_once('=') {
                let _ = shell.set_var(k, v, true);
            }
        }
        if shell.get("PWD").is_none() {
            let _ = shell.set_var("PWD", &cwd, false);
        }
        shell
    }

    /// A copy of this shell one level deeper (a subshell), or `Cannot
    /// fork` past [`MAX_DEPTH`].
    pub(crate) fn subshell(&self) -> Result<Shell, String> {
        if self.depth >= MAX_DEPTH {
            return Err(super::limits::CANNOT_FORK.to_string());
        }
        let mut sub = self.clone();
        sub.depth += 1;
        Ok(sub)
    }

    /// A new process started by this shell: sees exported variables only.
    /// `Cannot fork` past [`MAX_DEPTH`].
    pub(crate) fn child(&self) -> Result<Shell, String> {
        let mut child = self.subshell()?;
        child.vars.retain(|v| v.exported);
        child.params.clear();
        child.status = 0;
        child.errexit = false;
        child.xtrace = false;
        child.pipefail = false;
        child.nounset = false;
        child.tested = false;
        child.subst_status = None;
        child.funcs = Arc::default();
        child.locals.clear();
        child.loops = 0;
        child.exit_trap = None;
        Ok(child)
    }

    /// A variable's value.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.vars.find(name).map(|v| &*v.value)
    }

    /// Sets a variable; `export` marks it exported (never unmarks). Fails
    /// with `Out of space` past the bounds (see [`Vars::set`]).
    pub(crate) fn set_var(&mut self, name: &str, value: &str, export: bool) -> Result<(), String> {
        self.vars.set(name, value, export)
    }

    /// `env`'s output: the exported variables, one `NAME=value` a line.
    pub(crate) fn environ(&self) -> String {
        let mut s = String::new();
        for v in self.vars.iter().filter(|v| v.exported) {
            let _ = writeln!(s, "{}={}", v.name, v.value);
        }
        s
    }

    /// The prefix of the shell's error messages, in busybox ash's words:
    /// `$0: `, then `line N: ` when the script is named (see [`Numbering`]).
    pub(crate) fn prefix(&self, origin: Origin) -> String {
        self.prefix_for(origin, None)
    }

    /// The prefix of a builtin's error messages: `$0: BUILTIN: line N: `.
    pub(crate) fn builtin_prefix(&self, origin: Origin, builtin: &str) -> String {
        self.prefix_for(origin, Some(builtin))
    }

    /// busybox ash's `ash_vmsg`: `$0: `, then the command name (a builtin's,
    /// or the script's) unless it is `$0`, and its line.
    fn prefix_for(&self, origin: Origin, builtin: Option<&str>) -> String {
        let line = match origin {
            Origin::Top => return String::new(),
            Origin::Script(line) | Origin::Env(line) => line,
        };
        let (named, line) = match self.numbering {
            Numbering::Command { named } => (named, line.saturating_sub(1)),
            Numbering::File => (true, line),
            Numbering::Stdin => (false, line),
        };
        let command = builtin.or(named.then_some(self.name.as_str()));
        match command {
            None => format!("{}: ", self.name),
            Some(c) if c == self.name => format!("{}: line {line}: ", self.name),
            Some(c) => format!("{}: {c}: line {line}: ", self.name),
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
                if self.nounset {
                    f.push('u');
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
