//! Commands that change the container's files: `mkdir`, `rm`, `rmdir`,
//! `cp`, `mv`, `touch`, `chmod`, `ln`, with busybox 1.35's messages and
//! statuses. Walks over trees stop at [`MAX_TREE`] entries.

use crate::interp::files::{FileKind, FileSystem, Listing};
use crate::interp::io::Io;
use crate::interp::limits::{MAX_FILE, MAX_TREE};
use crate::interp::shell::Shell;

use super::opts::getopt;
use super::paths::basename;

/// The `strerror` text of a missing file.
const ENOENT: &str = "No such file or directory";
/// The text when a walk passes [`MAX_TREE`].
const E2BIG: &str = "Argument list too long";

/// `DIR/NAME`, without doubling a slash.
pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// A directory's entries, or `None` when it is not a (readable) directory.
pub(crate) fn children(fs: &dyn FileSystem, cwd: &str, dir: &str) -> Option<Vec<String>> {
    match fs.list(cwd, dir) {
        Ok(Listing::Dir(names)) => Some(names),
        _ => None,
    }
}

/// Whether `path` is a directory (symlinks followed).
pub(crate) fn is_dir(fs: &dyn FileSystem, cwd: &str, path: &str) -> bool {
    fs.stat(cwd, path, true)
        .is_ok_and(|m| m.kind == FileKind::Dir)
}

/// Writes busybox's "invalid option" line.
pub(crate) fn bad_option(io: &mut Io<'_, '_>, cmd: &str, msg: &str) -> i32 {
    io.err(format!("{cmd}: {msg}\n"));
    1
}

impl Shell {
    /// The container's files (only called by commands registered with them).
    pub(crate) fn fs(&self) -> Option<std::sync::Arc<dyn FileSystem>> {
        self.files.as_ref().map(|f| f.0.clone())
    }

    /// `mkdir [-p] [-m MODE] DIR…`.
    pub(super) fn mkdir(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "pm:") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "mkdir", &e),
        };
        let Some(fs) = self.fs() else { return 1 };
        let mode = match opts.value('m') {
            Some(m) => match parse_mode(m, 0o777, false) {
                Some(m) => m,
                None => {
                    io.err(format!("mkdir: invalid mode '{m}'\n"));
                    return 1;
                }
            },
            None => 0o755,
        };
        let mut status = 0;
        for dir in &opts.operands {
            let result = if opts.has('p') {
                mkdir_parents(&*fs, &self.cwd, dir, mode)
            } else {
                fs.mkdir(&self.cwd, dir, mode).map_err(|e| (dir.clone(), e))
            };
            if let Err((at, e)) = result {
                io.err(format!("mkdir: can't create directory '{at}': {e}\n"));
                status = 1;
            }
        }
        status
    }

    /// `rm [-r|-R] [-f] PATH…`.
    pub(super) fn rm(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "rRfi") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "rm", &e),
        };
        let Some(fs) = self.fs() else { return 1 };
        let (recursive, force) = (opts.has('r') || opts.has('R'), opts.has('f'));
        let mut status = 0;
        for p in &opts.operands {
            let base = basename(p);
            if base == "." || base == ".." {
                io.err("rm: can't remove '.' or '..'\n");
                status = 1;
                continue;
            }
            let mut budget = MAX_TREE;
            if !remove(&*fs, &self.cwd, p, recursive, force, &mut budget, io) {
                status = 1;
            }
        }
        status
    }

    /// `rmdir [-p] DIR…`.
    pub(super) fn rmdir(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "p") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "rmdir", &e),
        };
        let Some(fs) = self.fs() else { return 1 };
        let mut status = 0;
        for dir in &opts.operands {
            let mut path = dir.trim_end_matches('/').to_string();
            loop {
                if let Err(e) = fs.rmdir(&self.cwd, &path) {
                    io.err(format!("rmdir: '{path}': {e}\n"));
                    status = 1;
                    break;
                }
                match path.rfind('/') {
                    Some(i) if opts.has('p') && i > 0 => {
                        path.truncate(i);
                        path = path.trim_end_matches('/').to_string();
                    }
                    _ => break,
                }
            }
        }
        status
    }

    /// `cp [-r|-R|-a|-p|-f] SRC… DEST`.
    pub(super) fn cp(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "arRpPdfLHnu") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "cp", &e),
        };
        let Some(fs) = self.fs() else { return 1 };
        let Some((dest, sources)) = opts.operands.split_last().filter(|(_, s)| !s.is_empty())
        else {
            io.err("cp: missing file operand\n");
            return 1;
        };
        let how = Copy {
            recursive: opts.has('r') || opts.has('R') || opts.has('a'),
            preserve: opts.has('p') || opts.has('a'),
        };
        // Several sources always go into DEST (each fails if it is not a
        // directory).
        let into_dir = sources.len() > 1 || is_dir(&*fs, &self.cwd, dest);
        let mut status = 0;
        let mut budget = MAX_TREE;
        for src in sources {
            let target = if into_dir {
                join(dest, basename(src))
            } else {
                dest.clone()
            };
            if !how.copy(&*fs, &self.cwd, src, &target, true, &mut budget, io) {
                status = 1;
            }
        }
        status
    }

    /// `mv SRC… DEST`.
    pub(super) fn mv(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "fin") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "mv", &e),
        };
        let Some(fs) = self.fs() else { return 1 };
        let Some((dest, sources)) = opts.operands.split_last().filter(|(_, s)| !s.is_empty())
        else {
            io.err("mv: missing file operand\n");
            return 1;
        };
        let into_dir = sources.len() > 1 || is_dir(&*fs, &self.cwd, dest);
        let mut status = 0;
        for src in sources {
            let target = if into_dir {
                join(dest, basename(src))
            } else {
                dest.clone()
            };
            if opts.has('n') && fs.stat(&self.cwd, &target, false).is_ok() {
                continue;
            }
            if let Err(e) = fs.rename(&self.cwd, src, &target) {
                io.err(format!("mv: can't rename '{src}': {e}\n"));
                status = 1;
            }
        }
        status
    }

    /// `touch [-c] FILE…`: creates missing files, stamps the clock's time.
    pub(super) fn touch(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "champd:t:r:") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "touch", &e),
        };
        let Some(fs) = self.fs() else { return 1 };
        let now = fs.now();
        let mut status = 0;
        for f in &opts.operands {
            let result = match fs.stat(&self.cwd, f, true) {
                Ok(_) => fs.set_mtime(&self.cwd, f, now),
                Err(_) if opts.has('c') => Ok(()),
                Err(_) => fs.write(&self.cwd, f, b"", true),
            };
            if let Err(e) = result {
                io.err(format!("touch: {f}: {e}\n"));
                status = 1;
            }
        }
        status
    }

    /// `chmod [-R] MODE FILE…`: octal or `[ugoa]*[+-=][rwxXst]*`, comma
    /// separated.
    pub(super) fn chmod(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        // A mode such as `-x` or `-w` looks like an option.
        let mut rest: Vec<String> = Vec::new();
        let mut mode_arg: Option<String> = None;
        let mut recursive = false;
        for a in args {
            if mode_arg.is_none() && a.starts_with('-') && a.len() > 1 {
                if a[1..].chars().all(|c| "Rcvf".contains(c)) {
                    recursive |= a.contains('R');
                    continue;
                }
                if parse_mode(a, 0, false).is_some() {
                    mode_arg = Some(a.clone());
                    continue;
                }
                return bad_option(io, "chmod", &format!("invalid option -- '{}'", &a[1..2]));
            }
            if mode_arg.is_none() {
                mode_arg = Some(a.clone());
            } else {
                rest.push(a.clone());
            }
        }
        let Some(fs) = self.fs() else { return 1 };
        let Some(mode) = mode_arg.filter(|_| !rest.is_empty()) else {
            io.err("chmod: missing operand\n");
            return 1;
        };
        if parse_mode(&mode, 0, false).is_none() {
            io.err(format!("chmod: invalid mode '{mode}'\n"));
            return 1;
        }
        let mut status = 0;
        let mut budget = MAX_TREE;
        for f in &rest {
            if !chmod_one(&*fs, &self.cwd, f, &mode, recursive, &mut budget, io) {
                status = 1;
            }
        }
        status
    }

    /// `ln -s [-f] [-n] TARGET… LINK|DIR`; without `-s` the file is copied
    /// (hard links are not simulated).
    pub(super) fn ln(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "sfnbvT") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "ln", &e),
        };
        let Some(fs) = self.fs() else { return 1 };
        let Some((last, targets)) = opts.operands.split_last() else {
            io.err("ln: missing operand\n");
            return 1;
        };
        let (link, targets) = if targets.is_empty() {
            (".".to_string(), std::slice::from_ref(last))
        } else {
            (last.clone(), targets)
        };
        let into_dir = !opts.has('n') && is_dir(&*fs, &self.cwd, &link)
            || (opts.has('n')
                && fs
                    .stat(&self.cwd, &link, false)
                    .is_ok_and(|m| m.kind == FileKind::Dir));
        if targets.len() > 1 && !into_dir {
            io.err(format!("ln: '{link}' is not a directory\n"));
            return 1;
        }
        let mut status = 0;
        for t in targets {
            let at = if into_dir {
                join(&link, basename(t))
            } else {
                link.clone()
            };
            if opts.has('f') {
                let _ = fs.unlink(&self.cwd, &at);
            }
            let result = if opts.has('s') {
                fs.symlink(&self.cwd, t, &at)
            } else {
                match fs.stat(&self.cwd, &at, false) {
                    Ok(_) => Err("File exists".to_string()),
                    Err(_) => fs
                        .read(&self.cwd, t)
                        .and_then(|d| fs.write(&self.cwd, &at, &d, false)),
                }
            };
            if let Err(e) = result {
                io.err(format!("ln: {at}: {e}\n"));
                status = 1;
            }
        }
        status
    }
}

/// `mkdir -p`: every missing component; the error names the path up to the
/// component that failed (with a trailing `/` when it was not the last).
fn mkdir_parents(
    fs: &dyn FileSystem,
    cwd: &str,
    dir: &str,
    mode: u32,
) -> Result<(), (String, String)> {
    let parts: Vec<(usize, &str)> = dir
        .match_indices(|_| true)
        .filter(|(i, c)| *c != "/" && (*i == 0 || dir.as_bytes()[i - 1] == b'/'))
        .collect();
    for (n, (start, _)) in parts.iter().enumerate() {
        let end = dir[*start..].find('/').map_or(dir.len(), |e| start + e);
        let prefix = &dir[..end];
        let last = n + 1 == parts.len();
        match fs.mkdir(cwd, prefix, if last { mode } else { 0o755 }) {
            Ok(()) => {}
            Err(e) if e == "File exists" => {
                if !is_dir(fs, cwd, prefix) {
                    return Err(if last {
                        (prefix.to_string(), e)
                    } else {
                        (format!("{prefix}/"), "Not a directory".into())
                    });
                }
            }
            Err(e) => {
                let at = if last {
                    prefix.to_string()
                } else {
                    format!("{prefix}/")
                };
                return Err((at, e));
            }
        }
    }
    Ok(())
}

/// Removes one operand of `rm`; false on an error (already reported).
fn remove(
    fs: &dyn FileSystem,
    cwd: &str,
    path: &str,
    recursive: bool,
    force: bool,
    budget: &mut usize,
    io: &mut Io<'_, '_>,
) -> bool {
    let meta = match fs.stat(cwd, path, false) {
        Ok(m) => m,
        Err(_) if force => return true,
        Err(e) => {
            io.err(format!("rm: can't remove '{path}': {e}\n"));
            return false;
        }
    };
    if meta.kind != FileKind::Dir {
        return match fs.unlink(cwd, path) {
            Ok(()) => true,
            Err(e) => {
                io.err(format!("rm: can't remove '{path}': {e}\n"));
                false
            }
        };
    }
    if !recursive {
        io.err(format!("rm: '{path}' is a directory\n"));
        return false;
    }
    let mut ok = true;
    for name in children(fs, cwd, path).unwrap_or_default() {
        if *budget == 0 {
            io.err(format!("rm: can't remove '{path}': {E2BIG}\n"));
            return false;
        }
        *budget -= 1;
        ok &= remove(fs, cwd, &join(path, &name), true, force, budget, io);
    }
    if !ok {
        return false;
    }
    match fs.rmdir(cwd, path) {
        Ok(()) => true,
        Err(e) => {
            io.err(format!("rm: can't remove '{path}': {e}\n"));
            false
        }
    }
}

/// How `cp` copies.
struct Copy {
    recursive: bool,
    preserve: bool,
}

impl Copy {
    /// Copies `src` to `dest`; false on an error (already reported). `top`
    /// tells a command-line operand (symlinks followed without `-r`).
    #[allow(clippy::too_many_arguments)]
    fn copy(
        &self,
        fs: &dyn FileSystem,
        cwd: &str,
        src: &str,
        dest: &str,
        top: bool,
        budget: &mut usize,
        io: &mut Io<'_, '_>,
    ) -> bool {
        if *budget == 0 {
            io.err(format!("cp: can't stat '{src}': {E2BIG}\n"));
            return false;
        }
        *budget -= 1;
        let follow = !self.recursive;
        let meta = match fs.stat(cwd, src, follow) {
            Ok(m) => m,
            Err(e) => {
                io.err(format!("cp: can't stat '{src}': {e}\n"));
                return false;
            }
        };
        let _ = top;
        match meta.kind {
            FileKind::Dir => {
                if !self.recursive {
                    io.err(format!("cp: omitting directory '{src}'\n"));
                    return false;
                }
                match fs.stat(cwd, dest, true) {
                    Ok(m) if m.kind == FileKind::Dir => {}
                    Ok(_) => {
                        io.err(format!(
                            "cp: can't create directory '{dest}': File exists\n"
                        ));
                        return false;
                    }
                    Err(_) => {
                        if let Err(e) = fs.mkdir(cwd, dest, meta.mode) {
                            io.err(format!("cp: can't create directory '{dest}': {e}\n"));
                            return false;
                        }
                    }
                }
                let mut ok = true;
                for name in children(fs, cwd, src).unwrap_or_default() {
                    if *budget == 0 {
                        // One message: the walk stops here.
                        io.err(format!("cp: can't stat '{src}': {E2BIG}\n"));
                        return false;
                    }
                    ok &= self.copy(
                        fs,
                        cwd,
                        &join(src, &name),
                        &join(dest, &name),
                        false,
                        budget,
                        io,
                    );
                }
                if self.preserve {
                    let _ = fs.set_mtime(cwd, dest, meta.mtime);
                }
                ok
            }
            FileKind::Symlink => {
                let target = match fs.read_link(cwd, src) {
                    Ok(t) => t,
                    Err(e) => {
                        io.err(format!("cp: can't read link '{src}': {e}\n"));
                        return false;
                    }
                };
                let _ = fs.unlink(cwd, dest);
                if let Err(e) = fs.symlink(cwd, &target, dest) {
                    io.err(format!("cp: can't create symlink '{dest}': {e}\n"));
                    return false;
                }
                true
            }
            FileKind::File => {
                if meta.size > MAX_FILE as u64 {
                    io.err(format!("cp: can't open '{src}': File too large\n"));
                    return false;
                }
                let data = match fs.read(cwd, src) {
                    Ok(d) => d,
                    Err(e) => {
                        io.err(format!("cp: can't open '{src}': {e}\n"));
                        return false;
                    }
                };
                let existed = fs.stat(cwd, dest, true).is_ok();
                if let Err(e) = fs.write(cwd, dest, &data, false) {
                    let e = if e == "Not a directory" {
                        "Path has non-directory component".to_string()
                    } else {
                        e
                    };
                    let verb = if existed { "open" } else { "create" };
                    io.err(format!("cp: can't {verb} '{dest}': {e}\n"));
                    return false;
                }
                if !existed || self.preserve {
                    let mode = if self.preserve {
                        meta.mode
                    } else {
                        meta.mode & 0o777
                    };
                    let _ = fs.set_mode(cwd, dest, mode);
                }
                if self.preserve {
                    let _ = fs.set_mtime(cwd, dest, meta.mtime);
                }
                true
            }
        }
    }
}

/// Changes one operand of `chmod` (and below it with `-R`).
fn chmod_one(
    fs: &dyn FileSystem,
    cwd: &str,
    path: &str,
    mode: &str,
    recursive: bool,
    budget: &mut usize,
    io: &mut Io<'_, '_>,
) -> bool {
    let meta = match fs.stat(cwd, path, true) {
        Ok(m) => m,
        Err(e) => {
            io.err(format!("chmod: {path}: {e}\n"));
            return false;
        }
    };
    let is_dir = meta.kind == FileKind::Dir;
    let new = parse_mode(mode, meta.mode, is_dir).unwrap_or(meta.mode);
    if let Err(e) = fs.set_mode(cwd, path, new) {
        io.err(format!("chmod: {path}: {e}\n"));
        return false;
    }
    let mut ok = true;
    if recursive && is_dir {
        for name in children(fs, cwd, path).unwrap_or_default() {
            if *budget == 0 {
                io.err(format!("chmod: {path}: {E2BIG}\n"));
                return false;
            }
            *budget -= 1;
            let child = join(path, &name);
            // Symlinks met on the way are not followed.
            if fs
                .stat(cwd, &child, false)
                .is_ok_and(|m| m.kind == FileKind::Symlink)
            {
                continue;
            }
            ok &= chmod_one(fs, cwd, &child, mode, true, budget, io);
        }
    }
    ok
}

/// A mode, octal or symbolic, applied to `old`; `None` when invalid. The
/// umask is 022.
pub(crate) fn parse_mode(spec: &str, old: u32, is_dir: bool) -> Option<u32> {
    if !spec.is_empty() && spec.chars().all(|c| c.is_digit(8)) {
        return u32::from_str_radix(spec, 8).ok().filter(|m| *m <= 0o7777);
    }
    let mut mode = old & 0o7777;
    for clause in spec.split(',') {
        let mut chars = clause.chars().peekable();
        let mut who = 0u32;
        while let Some(&c) = chars.peek() {
            who |= match c {
                'u' => 0o4700,
                'g' => 0o2070,
                'o' => 0o1007,
                'a' => 0o7777,
                _ => break,
            };
            chars.next();
        }
        let masked = who == 0;
        chars.peek()?;
        while let Some(op) = chars.next() {
            if !matches!(op, '+' | '-' | '=') {
                return None;
            }
            let mut perm = 0u32;
            while let Some(&c) = chars.peek() {
                perm |= match c {
                    'r' => 0o444,
                    'w' => 0o222,
                    'x' => 0o111,
                    'X' if is_dir || mode & 0o111 != 0 => 0o111,
                    'X' => 0,
                    's' => 0o6000,
                    't' => 0o1000,
                    'u' | 'g' | 'o' => {
                        let shift = match c {
                            'u' => 6,
                            'g' => 3,
                            _ => 0,
                        };
                        ((mode >> shift) & 7) * 0o111
                    }
                    _ => break,
                };
                chars.next();
            }
            let scope = if masked { 0o7777 } else { who };
            let apply = if masked && op != '=' {
                perm & !0o022
            } else {
                perm
            };
            match op {
                '+' => mode |= apply & scope,
                '-' => mode &= !(apply & scope),
                _ => {
                    let clear = if masked { 0o7777 } else { who };
                    // `=` keeps a directory's setuid/setgid bits.
                    let keep = if is_dir { 0o6000 } else { 0 };
                    mode = (mode & !(clear & !keep)) | (apply & scope);
                }
            }
        }
    }
    Some(mode)
}

/// The text of an error from [`FileSystem::read`] when there are no files.
pub(crate) fn no_files() -> String {
    ENOENT.to_string()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::interp::files::Files;
    use crate::interp::limits::MAX_TREE;
    use crate::interp::testkit::{ctx, run_with, sh};
    use crate::interp::{MapFs, UnknownCommand};

    /// Runs a script over `fs` in `/w`.
    async fn run(fs: &Arc<MapFs>, script: &str) -> (String, String, i32) {
        let mut ctx = ctx();
        ctx.working_dir = "/w".into();
        ctx.files = Some(Files(fs.clone()));
        let argv = sh(script);
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        run_with(&argv, UnknownCommand::Echo, &ctx, None).await
    }

    #[tokio::test]
    async fn walks_stop_at_max_tree_entries() {
        let fs = Arc::new(MapFs::default());
        for i in 0..=MAX_TREE {
            fs.add_file(&format!("/w/big/f{i}"), b"");
        }
        let (out, err, status) = run(&fs, "find big | wc -l; find big -name x").await;
        assert_eq!(out, format!("{MAX_TREE}\n"));
        assert_eq!(
            (err.as_str(), status),
            (
                "find: big: Argument list too long\nfind: big: Argument list too long\n",
                1
            )
        );
        let (_, err, status) = run(&fs, "cp -r big copy").await;
        assert_eq!(
            (err.as_str(), status),
            ("cp: can't stat 'big': Argument list too long\n", 1)
        );
        let (_, err, status) = run(&fs, "rm -r big").await;
        assert_eq!(
            (err.as_str(), status),
            ("rm: can't remove 'big': Argument list too long\n", 1)
        );
    }

    #[tokio::test]
    async fn sorting_and_copying_are_bounded() {
        let fs = Arc::new(MapFs::default());
        // Three million empty lines: 3 MB, but a slice per line to sort.
        fs.add_file("/w/lines", &vec![b'\n'; 3 << 20]);
        let got = run(
            &fs,
            "sort lines; echo $?; tail -n 1 lines | wc -c; head -n -1 lines | wc -l",
        )
        .await;
        assert_eq!(
            got,
            ("2\n1\n3145727\n".into(), "sort: out of memory\n".into(), 0)
        );
        fs.add_file("/w/big", &vec![b'x'; crate::interp::MAX_FILE + 1]);
        let got = run(&fs, "cp big copy; cat big | wc -c; echo x >> big").await;
        assert_eq!(
            got,
            (
                "0\n".into(),
                "cp: can't open 'big': File too large\ncat: can't open 'big': File too large\n\
                 sh: can't create big: File too large\n"
                    .into(),
                2
            )
        );
    }

    #[tokio::test]
    async fn huge_regexes_are_refused() {
        let fs = Arc::new(MapFs::default());
        fs.add_file("/w/f", b"aaa\n");
        let got = run(&fs, "grep -E '(a{255}){255}' f; echo $?").await;
        assert_eq!(
            got,
            (
                "2\n".into(),
                "grep: bad regex '(a{255}){255}': Regular expression too big\n".into(),
                0
            )
        );
        let got = run(&fs, "sed -E 's/(a{255}){255}/x/' f").await;
        assert_eq!(
            got,
            (
                String::new(),
                "sed: bad regex '(a{255}){255}': Regular expression too big\n".into(),
                1
            )
        );
    }

    #[tokio::test]
    async fn commands_without_files_are_unknown_and_filters_still_work() {
        let ctx = ctx();
        let argv = sh("printf 'b\\na\\n' | sort | tr a-z A-Z; mkdir x");
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let got = run_with(&argv, UnknownCommand::Echo, &ctx, None).await;
        assert_eq!(got, ("A\nB\n".into(), "sh: mkdir: not found\n".into(), 127));
    }
}
