//! Redirections of fds 0–2: `>`, `>>`, `&>`, `>&N`, `N>&M`, `<`.
//! `/dev/null` and `/dev/std*` always work; other files are the container's
//! (the context's `Files`): output to one is captured and written when the
//! command ends, input read from it. Without files, output to a file is
//! swallowed and a file cannot be read.

use super::ast::{Redir, RedirOp};
use super::files::Files;
use super::io::{Dest, Fds, Io};
use super::shell::{Flow, Origin, Shell};

/// Where a command's stdio goes after its redirections.
#[derive(Debug, Clone)]
pub(crate) struct Redirected {
    /// Targets of fds 1 and 2.
    pub(crate) fds: Fds,
    /// Stdin comes from `/dev/null`.
    pub(crate) null_input: bool,
    /// Stdin comes from a file's contents.
    pub(crate) input: Option<Vec<u8>>,
    /// Files written through capture buffers (pushed in this order): each
    /// is appended what its capture caught when the command ends.
    pub(crate) files: Vec<String>,
}

/// Whether `target` names a device rather than a file.
fn is_device(target: &str) -> bool {
    target.starts_with("/dev/") || target.starts_with("/proc/self/fd/")
}

impl Shell {
    /// Applies redirections left to right, starting from the current fds.
    /// On an error the message is written and the command's outcome
    /// returned.
    pub(crate) async fn redirect(
        &mut self,
        redirs: &[Redir],
        origin: Origin,
        io: &mut Io<'_, '_>,
    ) -> Result<Redirected, Flow> {
        let mut done = Redirected {
            fds: io.fds,
            null_input: false,
            input: None,
            files: Vec::new(),
        };
        for redir in redirs {
            let target = match self.expand_string(&redir.target, io).await {
                Ok(t) => t,
                Err(msg) => {
                    let flow = self.expansion_failed(&msg, origin, io);
                    self.drop_captures(&mut done, io);
                    return Err(flow);
                }
            };
            let result = match self.files.clone() {
                _ if redir.op == RedirOp::HereDoc => {
                    if redir.fd.unwrap_or(0) == 0 {
                        done.null_input = false;
                        done.input = Some(target.into_bytes());
                    }
                    Ok(())
                }
                Some(files) if !is_device(&target) => {
                    self.file_redirect(&files, redir, &target, &mut done, io)
                }
                _ => apply(redir, &target, &mut done),
            };
            if let Err(message) = result {
                io.with_fds(done.fds)
                    .err(format!("{}{message}\n", self.prefix(origin)));
                self.drop_captures(&mut done, io);
                return Err(Flow::Normal(2));
            }
        }
        Ok(done)
    }

    /// A redirection to or from a file of the container: output goes to a
    /// new capture (the file is created or truncated now, so a missing
    /// directory fails before the command runs); input is read whole.
    fn file_redirect(
        &self,
        files: &Files,
        redir: &Redir,
        target: &str,
        done: &mut Redirected,
        io: &mut Io<'_, '_>,
    ) -> Result<(), String> {
        let append = match redir.op {
            RedirOp::Out | RedirOp::All => false,
            RedirOp::Append => true,
            RedirOp::In | RedirOp::ReadWrite if redir.fd.unwrap_or(0) == 0 => {
                let data = files
                    .0
                    .read(&self.cwd, target)
                    .map_err(|_| format!("can't open {target}: no such file"))?;
                done.input = Some(data);
                return Ok(());
            }
            _ => return apply(redir, target, done),
        };
        let fd = redir.fd.unwrap_or(1);
        if redir.op != RedirOp::All && fd != 1 && fd != 2 {
            return Ok(());
        }
        files.0.write(&self.cwd, target, b"", append).map_err(|e| {
            // busybox ash words a missing directory its own way.
            let e = if e == "No such file or directory" || e == "Not a directory" {
                "nonexistent directory"
            } else {
                &e
            };
            format!("can't create {target}: {e}")
        })?;
        let dest = io.sinks.push_capture();
        if redir.op == RedirOp::All {
            done.fds.out = dest;
            done.fds.err = dest;
        } else {
            set_fd(&mut done.fds, fd, dest);
        }
        done.files.push(target.to_string());
        Ok(())
    }

    /// Writes what each file capture caught (innermost first) to its file.
    pub(crate) fn flush_captures(&mut self, done: &mut Redirected, io: &mut Io<'_, '_>) {
        while let Some(target) = done.files.pop() {
            let data = io.sinks.pop_capture();
            if let Some(files) = &self.files {
                // The file existed when the command started; a failure now
                // (removed meanwhile) loses the output, as a deleted file would.
                let _ = files.0.write(&self.cwd, &target, &data.data, true);
            }
        }
    }

    /// Pops the captures of a redirection that failed half-way.
    fn drop_captures(&mut self, done: &mut Redirected, io: &mut Io<'_, '_>) {
        while done.files.pop().is_some() {
            io.sinks.pop_capture();
        }
    }
}

/// Applies one redirection to an expanded target; the error is a message.
fn apply(redir: &Redir, target: &str, done: &mut Redirected) -> Result<(), String> {
    let fds = &mut done.fds;
    match redir.op {
        RedirOp::Out | RedirOp::Append => {
            let dest = file_dest(target, fds);
            set_fd(fds, redir.fd.unwrap_or(1), dest);
        }
        RedirOp::All => {
            let dest = file_dest(target, fds);
            fds.out = dest;
            fds.err = dest;
        }
        RedirOp::DupOut | RedirOp::DupIn => {
            let default_fd = if redir.op == RedirOp::DupOut { 1 } else { 0 };
            let fd = redir.fd.unwrap_or(default_fd);
            let dest = match target {
                "1" => fds.out,
                "2" => fds.err,
                "-" | "0" => Dest::Null,
                t if t.chars().all(|c| c.is_ascii_digit()) => {
                    return Err(format!("{t}: Bad file descriptor"));
                }
                t if redir.op == RedirOp::DupOut && redir.fd.is_none() => {
                    // bash: `>&file` redirects both streams.
                    let dest = file_dest(t, fds);
                    fds.out = dest;
                    fds.err = dest;
                    return Ok(());
                }
                t => return Err(format!("{t}: Bad file descriptor")),
            };
            set_fd(fds, fd, dest);
        }
        RedirOp::HereDoc => {}
        RedirOp::In | RedirOp::ReadWrite => {
            if redir.fd.unwrap_or(0) == 0 {
                if target == "/dev/null" {
                    done.null_input = true;
                } else if target != "/dev/stdin" {
                    return Err(format!("can't open {target}: no such file"));
                }
            }
        }
    }
    Ok(())
}

/// Where output to a file goes: the current stdout or stderr for their
/// device names, nowhere for any other file.
fn file_dest(target: &str, fds: &Fds) -> Dest {
    match target {
        "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => fds.out,
        "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => fds.err,
        _ => Dest::Null,
    }
}

/// Points fd 1 or 2 at `dest`; other fds are ignored.
fn set_fd(fds: &mut Fds, fd: u32, dest: Dest) {
    match fd {
        1 => fds.out = dest,
        2 => fds.err = dest,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::interp::testkit::*;

    #[tokio::test(start_paused = true)]
    async fn redirections() {
        check(vec![
            // redirections
            script("echo hidden >/dev/null; echo shown", "shown\n", "", 0),
            script(
                "echo e >&2 2>/dev/null; echo f 2>/dev/null 1>&2",
                "",
                "e\n",
                0,
            ),
            script("echo both >/dev/null 2>&1", "", "", 0),
            script("echo x 2>&1 >/dev/null", "", "", 0),
            script("echo data > /tmp/file; echo ok", "ok\n", "", 0),
            script("cat < /nope", "", "sh: can't open /nope: no such file\n", 2),
            script("nosuch 2>&1", "sh: nosuch: not found\n", "", 127),
        ])
        .await;
    }
}
