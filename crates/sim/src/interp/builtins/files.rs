//! Builtins over the container's files ([`Files`](crate::interp::Files)):
//! `ls`, and reading a file for `cat` and `<`.

use crate::interp::files::Listing;
use crate::interp::io::Io;
use crate::interp::shell::Shell;

/// The `strerror` text of a missing file.
const ENOENT: &str = "No such file or directory";

impl Shell {
    /// The contents of a file of the container (symlinks followed).
    pub(crate) fn read_file(&self, path: &str) -> Result<Vec<u8>, String> {
        match &self.files {
            Some(f) => f.0.read(&self.cwd, path),
            None => Err(ENOENT.into()),
        }
    }

    /// `ls [-a…] [-d] [PATH…]`: one name per line (as when not on a terminal),
    /// dot files only with `-a`; a file is listed by the name given.
    pub(super) fn ls(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let flag = |f: &[char]| {
            args.iter()
                .any(|a| a.starts_with('-') && a.len() > 1 && a.contains(f))
        };
        let (all, dirs_themselves) = (flag(&['a', 'A']), flag(&['d']));
        let mut paths: Vec<&str> = args
            .iter()
            .filter(|a| !a.starts_with('-') || a.as_str() == "-")
            .map(String::as_str)
            .collect();
        if paths.is_empty() {
            paths.push(".");
        }
        let several = paths.len() > 1;
        let mut status = 0;
        for (i, p) in paths.iter().enumerate() {
            let listing = match &self.files {
                Some(f) if dirs_themselves => f.0.stat(&self.cwd, p, false).map(|_| Listing::File),
                Some(f) => f.0.list(&self.cwd, p),
                None => Err(ENOENT.to_string()),
            };
            match listing {
                Ok(Listing::File) => io.out(format!("{p}\n")),
                Ok(Listing::Dir(names)) => {
                    let mut text = String::new();
                    if several {
                        if i > 0 {
                            text.push('\n');
                        }
                        text.push_str(&format!("{p}:\n"));
                    }
                    for n in names.iter().filter(|n| all || !n.starts_with('.')) {
                        text.push_str(n);
                        text.push('\n');
                    }
                    io.out(text);
                }
                Err(e) => {
                    io.err(format!("ls: {p}: {e}\n"));
                    status = 1;
                }
            }
        }
        status
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::sync::mpsc;

    use crate::interp::files::Files;
    use crate::interp::{MapFs, ProcessContext, ProcessIo, Program, StdStream, UnknownCommand};

    /// A [`MapFs`] holding the directory `/d`.
    fn map_fs() -> Arc<MapFs> {
        let fs = MapFs::default();
        fs.add_dir("/d");
        Arc::new(fs)
    }

    async fn run(fs: &Arc<MapFs>, script: &str) -> (String, String, i32) {
        let ctx = ProcessContext {
            working_dir: "/d".into(),
            files: Some(Files(fs.clone())),
            ..ProcessContext::default()
        };
        let argv = vec!["sh".to_string(), "-c".to_string(), script.to_string()];
        let program = Program::parse(&argv, UnknownCommand::Echo);
        let (tx, mut rx) = mpsc::channel(1024);
        let mut io = ProcessIo {
            stdin: None,
            output: tx,
        };
        let status = program.run(&ctx, &mut io).await;
        drop(io);
        let (mut out, mut err) = (String::new(), String::new());
        while let Some((s, b)) = rx.recv().await {
            let t = String::from_utf8_lossy(&b).into_owned();
            match s {
                StdStream::Stdout => out.push_str(&t),
                StdStream::Stderr => err.push_str(&t),
            }
        }
        (out, err, status)
    }

    #[tokio::test]
    async fn sh_runs_a_script_file_from_the_files() {
        let fs = map_fs();
        let got = run(&fs, "echo 'echo from $0; exit 3' > s.sh; sh s.sh; echo $?").await;
        assert_eq!(got, ("from s.sh\n3\n".into(), String::new(), 0));
        // A script file's errors carry its name and line, as busybox's do.
        let got = run(
            &fs,
            "printf 'echo a\\nnosuch\\nexit x\\n' > e.sh; sh e.sh; echo $?",
        )
        .await;
        let err = "e.sh: line 2: nosuch: not found\ne.sh: exit: line 3: Illegal number: x\n";
        assert_eq!(got, ("a\n2\n".into(), err.into(), 0));
        let got = run(&fs, "sh /d/missing.sh").await;
        assert_eq!(
            got,
            (
                String::new(),
                "sh: can't open '/d/missing.sh': No such file or directory\n".into(),
                2
            )
        );
    }

    #[tokio::test]
    async fn redirections_cat_and_ls_use_the_files() {
        let fs = map_fs();
        let got = run(&fs, "echo a > f; echo b >> /d/f; printf c >> f 2>&1; cat f").await;
        assert_eq!(got, ("a\nb\nc".into(), String::new(), 0));
        let got = run(&fs, "echo err 2> e >&2; cat < f; ls; ls f /d").await;
        assert_eq!(
            got,
            ("a\nb\nce\nf\nf\n\n/d:\ne\nf\n".into(), String::new(), 0)
        );
        let got = run(&fs, "echo x > /nope/x; echo after").await;
        assert_eq!(
            got,
            (
                "after\n".into(),
                "sh: can't create /nope/x: nonexistent directory\n".into(),
                0
            )
        );
        let got = run(&fs, "cat missing; ls /none").await;
        assert_eq!(
            got,
            (
                String::new(),
                "cat: can't open 'missing': No such file or directory\nls: /none: No such file or directory\n"
                    .into(),
                1
            )
        );
        // Output of a command substitution inside a redirected command
        // still reaches the file in order.
        let got = run(&fs, "echo \"$(echo in)\" out > g; cat g").await;
        assert_eq!(got, ("in out\n".into(), String::new(), 0));
    }
}
