//! The coreutils job scripts use, by name: the text filters (always there)
//! and the commands of files (only when the process has files), and their
//! dispatch. Each runs in its own boxed future: their states are large, and
//! kept off the stack of deeply nested shells.

use crate::interp::io::Io;
use crate::interp::shell::{BoxFut, Shell};

/// Filters of stdin or files, and `date`, `xargs`.
const TEXT_BUILTINS: &[&str] = &[
    "wc",
    "sort",
    "uniq",
    "tr",
    "cut",
    "grep",
    "egrep",
    "fgrep",
    "sed",
    "sha256sum",
    "md5sum",
    "date",
    "xargs",
];

/// The commands that exist only with files (without them they stay unknown
/// commands).
const FILE_BUILTINS: &[&str] = &[
    "ls", "mkdir", "rm", "rmdir", "cp", "mv", "touch", "chmod", "ln", "find", "stat",
];

/// Whether a command name is one of the text filters.
pub(crate) fn is_text_builtin(name: &str) -> bool {
    TEXT_BUILTINS.contains(&name)
}

/// Whether a command name is simulated when the process has files.
pub(crate) fn is_file_builtin(name: &str) -> bool {
    FILE_BUILTINS.contains(&name)
}

impl Shell {
    /// Runs one of [`TEXT_BUILTINS`] or [`FILE_BUILTINS`].
    pub(super) fn coreutil<'s>(
        &'s mut self,
        name: &'s str,
        args: &'s [String],
        io: &'s mut Io<'_, '_>,
    ) -> BoxFut<'s, i32> {
        Box::pin(async move {
            match name {
                "wc" => self.wc(args, io).await,
                "sort" => self.sort(args, io).await,
                "uniq" => self.uniq(args, io).await,
                "tr" => self.tr(args, io).await,
                "cut" => self.cut(args, io).await,
                "grep" => self.grep(args, io).await,
                "egrep" | "fgrep" => {
                    let flag = if name == "egrep" { "-E" } else { "-F" };
                    let mut all = vec![flag.to_string()];
                    all.extend_from_slice(args);
                    self.grep(&all, io).await
                }
                "sed" => self.sed(args, io).await,
                "sha256sum" | "md5sum" => self.digest(name, args, io).await,
                "date" => self.date(args, io),
                "xargs" => self.xargs(args, io).await,
                "ls" => self.ls(args, io),
                "mkdir" => self.mkdir(args, io),
                "rm" => self.rm(args, io),
                "rmdir" => self.rmdir(args, io),
                "cp" => self.cp(args, io),
                "mv" => self.mv(args, io),
                "touch" => self.touch(args, io),
                "chmod" => self.chmod(args, io),
                "ln" => self.ln(args, io),
                "find" => self.find(args, io),
                _ => self.stat_cmd(args, io),
            }
        })
    }
}
