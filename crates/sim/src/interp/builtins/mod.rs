//! The simulated commands ("builtins": a path prefix such as `/bin/echo`
//! works the same) and their dispatch, [`Shell::run_argv`].
//!
//! Commands that run other commands (`exec`, `command`, `env`, the shells)
//! call back into evaluation through methods of [`Shell`].

mod files;
mod flow;
mod paths;
mod printf;
mod read_split;
mod sleep;
mod streams;
mod test_expr;
mod users;
mod vars;

// The coreutils of job scripts (issue 14): `coreutils` names and dispatches
// them.
mod coreutils;
mod date;
mod find;
mod fsops;
mod grep;
mod opts;
mod regex;
mod sed;
mod text;
mod xargs;

pub(crate) use paths::basename;
pub(crate) use sleep::parse_sleep;
pub(crate) use streams::parse_tail;
pub(crate) use vars::parse_env;

pub(crate) use coreutils::is_file_builtin;

use super::context::UnknownCommand;
use super::invocation::{is_shell, parse_invocation};
use super::io::Io;
use super::shell::{BoxFut, Flow, Origin, Shell};
use paths::{run_basename, run_dirname};
use printf::{echo, run_printf};
use users::{run_id, run_whoami};

/// Every builtin's name, besides the shells.
const BUILTINS: &[&str] = &[
    "true", ":", "false", "echo", "printf", "exit", "sleep", "cat", "env", "pwd", "hostname", "id",
    "whoami", "test", "[", "export", "readonly", "local", "unset", "set", "shift", "cd", "seq",
    "head", "tail", "read", "wait", "trap", "ulimit", "umask", "sync", "uname", "basename",
    "dirname", "command", "exec", "break", "continue", "return",
];

/// Whether a command name (without its path) is simulated.
pub(crate) fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name) || coreutils::is_text_builtin(name) || is_shell(name)
}

impl Shell {
    /// Runs one command with expanded arguments.
    pub(crate) fn run_argv<'s>(
        &'s mut self,
        argv: Vec<String>,
        origin: Origin,
        io: &'s mut Io<'_, '_>,
    ) -> BoxFut<'s, Flow> {
        Box::pin(async move {
            let Some(first) = argv.first() else {
                return Flow::Normal(0);
            };
            let name = basename(first).to_string();
            let args = &argv[1..];
            let status = match name.as_str() {
                "true" | ":" => 0,
                "false" => 1,
                "echo" => {
                    io.out(echo(args));
                    0
                }
                "printf" => run_printf(args, io),
                "exit" => return self.exit(args, origin, io),
                "sleep" => return self.sleep(args, io).await,
                "cat" => self.cat(args, io).await,
                "env" => return self.env(args, origin, io).await,
                "pwd" => {
                    io.out(format!("{}\n", self.cwd));
                    0
                }
                "hostname" => {
                    io.out(format!("{}\n", self.hostname));
                    0
                }
                "id" => run_id(&self.user, args, io),
                "whoami" => run_whoami(&self.user, io),
                "test" | "[" => self.test(&name, args, origin, io),
                "export" | "readonly" => return self.export(&name, args, origin, io),
                "local" => return self.local(args, origin, io),
                "break" | "continue" => return self.loop_control(&name, args, origin, io),
                "return" => return self.return_builtin(args, origin, io),
                "trap" => self.trap(args, io),
                "unset" => self.unset(args),
                "set" => self.set_builtin(args, io),
                "shift" => return self.shift(args, origin, io),
                "cd" => self.cd(args),
                "seq" => self.seq(args, io).await,
                "head" => self.head(args, io).await,
                "tail" => return self.tail(args, io).await,
                "read" => self.read(args, io).await,
                "wait" | "ulimit" | "umask" | "sync" => 0,
                "uname" => {
                    io.out(uname(args, &self.hostname));
                    0
                }
                "basename" => run_basename(args, io),
                "dirname" => run_dirname(args, io),
                // Those of files only with files: without them they stay
                // unknown commands.
                _ if coreutils::is_text_builtin(&name)
                    || (is_file_builtin(&name) && self.files.is_some()) =>
                {
                    self.coreutil(&name, args, io).await
                }
                "command" => return self.command(args, origin, io).await,
                "exec" => return self.exec(args, io).await,
                _ if is_shell(&name) => {
                    let inv = parse_invocation(&argv);
                    match self.child() {
                        Ok(mut child) => child.run_invocation(&inv, io).await,
                        Err(msg) => {
                            io.err(format!("{}{msg}\n", self.prefix(origin)));
                            2
                        }
                    }
                }
                _ => return self.unknown_command(&argv, origin, io).await,
            };
            Flow::Normal(status)
        })
    }

    /// `exit [N]`: unwinds the shell with N modulo 256 (default `$?`).
    fn exit(&self, args: &[String], origin: Origin, io: &mut Io<'_, '_>) -> Flow {
        let code = match args.first() {
            None => self.status,
            Some(a) => match a.trim().parse::<i64>() {
                Ok(n) => n.rem_euclid(256) as i32,
                Err(_) => {
                    let prefix = self.builtin_prefix(origin, "exit");
                    io.err(format!("{prefix}Illegal number: {a}\n"));
                    2
                }
            },
        };
        Flow::Exit(code)
    }

    /// `command -v NAME…` tells which names are builtins; `command CMD…`
    /// runs CMD.
    async fn command(&mut self, args: &[String], origin: Origin, io: &mut Io<'_, '_>) -> Flow {
        if args.first().is_some_and(|a| a == "-v" || a == "-V") {
            let found: Vec<&String> = args[1..]
                .iter()
                .filter(|a| is_builtin(basename(a)))
                .collect();
            for f in &found {
                io.out(format!("{f}\n"));
            }
            if found.len() == args.len() - 1 && !found.is_empty() {
                Flow::Normal(0)
            } else {
                Flow::Normal(1)
            }
        } else {
            self.run_argv(args.to_vec(), origin, io).await
        }
    }

    /// `exec CMD…`: runs CMD as the top-level command, then exits with its
    /// status; a bare `exec` does nothing.
    async fn exec(&mut self, args: &[String], io: &mut Io<'_, '_>) -> Flow {
        if args.is_empty() {
            return Flow::Normal(0);
        }
        let status = self.run_argv(args.to_vec(), Origin::Top, io).await.status();
        Flow::Exit(status)
    }

    /// A command we do not simulate: at the top level it follows the
    /// [`UnknownCommand`] policy; in scripts it is not found (127).
    async fn unknown_command(
        &mut self,
        argv: &[String],
        origin: Origin,
        io: &mut Io<'_, '_>,
    ) -> Flow {
        let name = argv.first().map(String::as_str).unwrap_or_default();
        match origin {
            Origin::Top => match self.unknown {
                UnknownCommand::RunForever => {
                    std::future::pending::<()>().await;
                    Flow::Normal(0)
                }
                UnknownCommand::Echo => {
                    io.out(format!("{}\n", argv.join(" ")));
                    Flow::Normal(0)
                }
            },
            Origin::Script(_) => {
                io.err(format!("{}{name}: not found\n", self.prefix(origin)));
                Flow::Normal(127)
            }
            Origin::Env(_) => {
                io.err(format!(
                    "env: can't execute '{name}': No such file or directory\n"
                ));
                Flow::Normal(127)
            }
        }
    }
}

/// `uname [-asnrvmpio]`.
fn uname(args: &[String], hostname: &str) -> String {
    let mut fields = Vec::new();
    for arg in args {
        for c in arg.trim_start_matches('-').chars() {
            match c {
                'a' => fields.extend([
                    "Linux",
                    hostname,
                    "6.0.0-sockerless",
                    "#1 SMP",
                    "x86_64",
                    "GNU/Linux",
                ]),
                's' => fields.push("Linux"),
                'n' => fields.push(hostname),
                'r' => fields.push("6.0.0-sockerless"),
                'v' => fields.push("#1 SMP"),
                'm' | 'p' | 'i' => fields.push("x86_64"),
                'o' => fields.push("GNU/Linux"),
                _ => {}
            }
        }
    }
    if fields.is_empty() {
        fields.push("Linux");
    }
    format!("{}\n", fields.join(" "))
}

#[cfg(test)]
mod tests {
    use crate::interp::testkit::*;

    #[tokio::test(start_paused = true)]
    async fn builtins() {
        check(vec![
            // true/false/exit
            case(&["true"], "", "", 0),
            case(&["/bin/false"], "", "", 1),
            script("exit 300", "", "", 44),
            script("exit -1", "", "", 255),
            script("false; exit", "", "", 1),
            script("exit abc", "", "sh: exit: line 0: Illegal number: abc\n", 2),
            // pwd / hostname
            case(&["pwd"], "/\n", "", 0),
            case(&["hostname"], "abc123\n", "", 0),
            // uname
            case(&["uname"], "Linux\n", "", 0),
            // unknown commands
            case(&["ls", "-la", "/"], "ls -la /\n", "", 0),
            script("exec ls /tmp", "ls /tmp\n", "", 0),
            case(
                &["env", "FOO=1", "python", "app.py"],
                "python app.py\n",
                "",
                0,
            ),
            script(
                "env python3 -V",
                "",
                "env: can't execute 'python3': No such file or directory\n",
                127,
            ),
            // misc builtins
            script(": ; true; echo $?", "0\n", "", 0),
            script(
                "exec nginx -g 'daemon off;'",
                "nginx -g daemon off;\n",
                "",
                0,
            ),
            script("command -v echo; command -v nginx", "echo\n", "", 1),
        ])
        .await;
    }
}
