//! Builtins about variables, parameters and the environment: `export`
//! (`readonly`, `local`), `unset`, `set`, `shift`, `cd` and `env`.

use std::fmt::Write as _;

use super::super::io::Io;
use super::super::shell::{Flow, Origin, Shell};
use super::paths::normalize_path;

impl Shell {
    /// `export`/`readonly`/`local [NAME[=value]…]`: sets variables (exported
    /// for `export`); without operands, lists the exported ones. A variable
    /// past the bounds ends the shell (2), as errors of special builtins do.
    pub(super) fn export(
        &mut self,
        name: &str,
        args: &[String],
        origin: Origin,
        io: &mut Io<'_, '_>,
    ) -> Flow {
        if args.is_empty() || args.iter().all(|a| a == "-p") {
            let mut s = String::new();
            for v in self.vars.iter().filter(|v| v.exported) {
                let _ = writeln!(s, "export {}='{}'", v.name, v.value);
            }
            io.out(s);
        }
        let export = name == "export";
        for arg in args.iter().filter(|a| !a.starts_with('-')) {
            match arg.split_once('=') {
                Some((k, v)) => {
                    if let Err(msg) = self.set_var(k, v, export) {
                        let prefix = self.builtin_prefix(origin, name);
                        io.err(format!("{prefix}{msg}\n"));
                        return Flow::Exit(2);
                    }
                }
                None if export => self.vars.export(arg),
                None => {}
            }
        }
        Flow::Normal(0)
    }

    /// `unset NAME…`.
    pub(super) fn unset(&mut self, args: &[String]) -> i32 {
        for arg in args.iter().filter(|a| !a.starts_with('-')) {
            self.vars.remove(arg);
        }
        0
    }

    /// `shift [N]`; shifting more than there are exits the shell (2).
    pub(super) fn shift(&mut self, args: &[String], origin: Origin, io: &mut Io<'_, '_>) -> Flow {
        let n = args
            .first()
            .and_then(|a| a.parse::<usize>().ok())
            .unwrap_or(1);
        if n > self.params.len() {
            let prefix = self.builtin_prefix(origin, "shift");
            io.err(format!("{prefix}can't shift that many\n"));
            return Flow::Exit(2);
        }
        self.params.drain(..n);
        Flow::Normal(0)
    }

    /// `cd [DIR|-]`: any directory exists; sets `PWD` and `OLDPWD`.
    pub(super) fn cd(&mut self, args: &[String]) -> i32 {
        let target = match args
            .iter()
            .find(|a| !a.starts_with('-') || a.as_str() == "-")
        {
            Some(d) if d == "-" => self.get("OLDPWD").unwrap_or("/").to_string(),
            Some(d) => d.clone(),
            None => self.get("HOME").unwrap_or("/").to_string(),
        };
        let new = normalize_path(&self.cwd, &target);
        let old = std::mem::replace(&mut self.cwd, new.clone());
        // Paths are short; past the bounds the variables keep their values.
        let _ = self.set_var("OLDPWD", &old, false);
        let _ = self.set_var("PWD", &new, false);
        0
    }

    /// `env [-i] [-u NAME] [NAME=value…] [CMD…]`: runs CMD in a child with
    /// that environment, or prints it.
    pub(super) async fn env(
        &mut self,
        args: &[String],
        origin: Origin,
        io: &mut Io<'_, '_>,
    ) -> Flow {
        let spec = match parse_env(args) {
            Ok(spec) => spec,
            Err(msg) => {
                io.err(msg);
                return Flow::Normal(125);
            }
        };
        let mut child = match self.child() {
            Ok(child) => child,
            Err(msg) => {
                io.err(format!("env: {msg}\n"));
                return Flow::Normal(126);
            }
        };
        if spec.clear {
            child.vars.retain(|_| false);
        }
        for name in &spec.unset {
            child.vars.remove(name);
        }
        for (k, v) in &spec.assigns {
            if let Err(msg) = child.set_var(k, v, true) {
                io.err(format!("env: {msg}\n"));
                return Flow::Normal(125);
            }
        }
        let command = &args[spec.command..];
        if command.is_empty() {
            io.out(child.environ());
            return Flow::Normal(0);
        }
        let origin = match origin {
            Origin::Top => Origin::Top,
            Origin::Script(line) | Origin::Env(line) => Origin::Env(line),
        };
        let flow = child.run_argv(command.to_vec(), origin, io).await;
        Flow::Normal(flow.status())
    }

    /// `set [-ex] [-o opt] [--] [ARGS…]`: options and positional
    /// parameters; without operands, lists the variables.
    pub(super) fn set_builtin(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        if args.is_empty() {
            let mut s = String::new();
            for v in self.vars.iter() {
                let _ = writeln!(s, "{}='{}'", v.name, v.value);
            }
            io.out(s);
            return 0;
        }
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            if arg == "--" {
                self.params = args[i + 1..].to_vec();
                return 0;
            }
            let (on, flags) = if let Some(f) = arg.strip_prefix('-') {
                (true, f)
            } else if let Some(f) = arg.strip_prefix('+') {
                (false, f)
            } else {
                self.params = args[i..].to_vec();
                return 0;
            };
            i += 1;
            for flag in flags.chars() {
                match flag {
                    'e' => self.errexit = on,
                    'x' => self.xtrace = on,
                    'u' => self.nounset = on,
                    'o' => {
                        match args.get(i).map(String::as_str) {
                            Some("errexit") => self.errexit = on,
                            Some("xtrace") => self.xtrace = on,
                            Some("nounset") => self.nounset = on,
                            Some("pipefail") => self.pipefail = on,
                            _ => {}
                        }
                        i += 1;
                    }
                    _ => {}
                }
            }
        }
        0
    }
}

/// The parsed options and assignments of `env`.
#[derive(Debug, Default)]
pub(crate) struct EnvSpec {
    clear: bool,
    unset: Vec<String>,
    assigns: Vec<(String, String)>,
    /// Index in the arguments where the command starts.
    pub(crate) command: usize,
}

/// Parses `env`'s arguments; the error is its stderr message.
pub(crate) fn parse_env(args: &[String]) -> Result<EnvSpec, String> {
    let mut spec = EnvSpec::default();
    let mut i = 0;
    let mut options = true;
    while let Some(arg) = args.get(i) {
        if options && (arg == "-i" || arg == "-" || arg == "--ignore-environment") {
            spec.clear = true;
        } else if options && arg == "-u" {
            i += 1;
            match args.get(i) {
                Some(name) => spec.unset.push(name.clone()),
                None => return Err("env: option requires an argument -- 'u'\n".into()),
            }
        } else if options && arg == "--" {
            options = false;
        } else if options && arg.len() > 1 && arg.starts_with('-') {
            return Err(format!("env: invalid option -- '{}'\n", &arg[1..]));
        } else if let Some((k, v)) = arg.split_once('=').filter(|(k, _)| !k.is_empty()) {
            options = false;
            spec.assigns.push((k.to_string(), v.to_string()));
        } else {
            break;
        }
        i += 1;
    }
    spec.command = i;
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use crate::interp::testkit::*;
    use crate::interp::{ProcessContext, UnknownCommand};

    #[tokio::test(start_paused = true)]
    async fn variables_and_env() {
        check(vec![
            // env / export / cd
            case(
                &["env"],
                "PATH=/usr/local/bin:/usr/bin:/bin\nHOME=/root\nGREETING=hello   world\n",
                "",
                0,
            ),
            case(&["env", "-i", "A=1", "B=2"], "A=1\nB=2\n", "", 0),
            case(
                &["/usr/bin/env", "-i", "K=V", "sh", "-c", "echo $K"],
                "V\n",
                "",
                0,
            ),
            script("X=1 env -i | cat; Y=2; env -i Z=3 env", "Z=3\n", "", 0),
            script(
                "LOCAL=1; export EXP=2; sh -c 'echo [$LOCAL][$EXP]'",
                "[][2]\n",
                "",
                0,
            ),
            script(
                "cd /usr/lib; cd ../bin; pwd; cd; pwd",
                "/usr/bin\n/root\n",
                "",
                0,
            ),
            // unset
            script("X=1; unset X; echo [$X]", "[]\n", "", 0),
        ])
        .await;
    }

    #[tokio::test]
    async fn working_dir_and_env() {
        let ctx = ProcessContext {
            working_dir: "/app".into(),
            env: vec!["A=1".into(), "B=x=y".into(), "JUNK".into()],
            ..ProcessContext::default()
        };
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (vec!["pwd"], "/app\n"),
            (
                vec!["sh", "-c", "pwd; echo $PWD; cd ..; pwd"],
                "/app\n/app\n/\n",
            ),
            (vec!["env"], "A=1\nB=x=y\n"),
            (vec!["env", "C=3"], "A=1\nB=x=y\nC=3\n"),
            (vec!["env", "-u", "A"], "B=x=y\n"),
            (
                vec!["sh", "-c", "X=9 env; echo [$X]"],
                "A=1\nB=x=y\nX=9\n[]\n",
            ),
            (vec!["sh", "-c", "export A=2 C; env"], "A=2\nB=x=y\n"),
        ];
        for (argv, want) in cases {
            let got = run_with(&argv, UnknownCommand::Echo, &ctx, None).await;
            assert_eq!(got, (want.to_string(), String::new(), 0), "{argv:?}");
        }
    }
}
