//! Text filters over files or stdin: `wc`, `head`, `tail`, `sort`, `uniq`,
//! `tr`, `cut`, `sha256sum`, `md5sum`, in busybox 1.35's formats. No operand,
//! or `-`, is stdin; a file is read whole (at most [`MAX_FILE`] bytes), stdin
//! keeps its last [`MAX_VALUE`](crate::interp::limits::MAX_VALUE) bytes.

use std::cmp::Ordering;
use std::fmt::Write as _;

use crate::interp::files::FileKind;
use crate::interp::io::Io;
use crate::interp::limits::MAX_FILE;
use crate::interp::shell::{Flow, Shell};

use super::fsops::bad_option;
use super::opts::getopt;
use super::streams::parse_tail;

/// Most lines `sort` sorts at once (16 bytes of slice each): 2 Mi.
const MAX_SORT_LINES: usize = 2 << 20;

/// The `strerror` text of reading a directory.
pub(crate) const EISDIR: &str = "Is a directory";

/// A file's (or stdin's) lines, each with its `\n` when it had one.
fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split_inclusive(|&b| b == b'\n')
}

/// A line without its `\n`.
fn chomp(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\n").unwrap_or(line)
}

impl Shell {
    /// The bytes of an operand: `-` is stdin, `/dev/null` empty; a file of
    /// the container otherwise (its `strerror` text when it cannot be read).
    pub(crate) async fn read_operand(
        &self,
        name: &str,
        io: &mut Io<'_, '_>,
    ) -> Result<Vec<u8>, String> {
        match name {
            "-" | "/dev/stdin" => Ok(io.input.read_all().await),
            "/dev/null" => Ok(Vec::new()),
            "/etc/hostname" if self.files.is_none() => {
                Ok(format!("{}\n", self.hostname).into_bytes())
            }
            _ => {
                let Some(fs) = self.fs() else {
                    return Err(super::fsops::no_files());
                };
                match fs.stat(&self.cwd, name, true) {
                    Ok(m) if m.kind == FileKind::Dir => return Err(EISDIR.into()),
                    Ok(m) if m.size > MAX_FILE as u64 => return Err("File too large".into()),
                    _ => {}
                }
                self.read_file(name)
            }
        }
    }

    /// `wc [-lwcmL] [FILE…]`.
    pub(super) async fn wc(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "lwcmL") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "wc", &e),
        };
        // Columns in busybox's order: lines, words, bytes/chars, longest.
        let mut cols: Vec<char> = "lwcL"
            .chars()
            .filter(|c| opts.has(*c) || (*c == 'c' && opts.has('m')))
            .collect();
        if cols.is_empty() {
            cols = vec!['l', 'w', 'c'];
        }
        let files = if opts.operands.is_empty() {
            vec![String::new()]
        } else {
            opts.operands.clone()
        };
        let pad = !(files.len() == 1 && cols.len() == 1);
        let mut totals = [0u64; 4];
        let mut status = 0;
        for f in &files {
            let data = match self
                .read_operand(if f.is_empty() { "-" } else { f }, io)
                .await
            {
                Ok(d) => d,
                Err(e) => {
                    io.err(format!("wc: {f}: {e}\n"));
                    status = 1;
                    // busybox still counts what it read of a directory.
                    if e != EISDIR {
                        continue;
                    }
                    Vec::new()
                }
            };
            let counts = wc_counts(&data);
            for i in 0..3 {
                totals[i] += counts[i];
            }
            totals[3] = totals[3].max(counts[3]);
            io.out(wc_line(&cols, &counts, f, pad));
        }
        if files.len() > 1 {
            io.out(wc_line(&cols, &totals, "total", true));
        }
        status
    }

    /// `head [-n [-]N] [-c N] [-N] [FILE…]`.
    pub(super) async fn head(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let args = numeric_shorthand(args);
        let opts = match getopt(&args, "n:c:qv") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "head", &e),
        };
        let (bytes, spec) = match (opts.value('c'), opts.value('n')) {
            (Some(c), _) => (true, c),
            (None, Some(n)) => (false, n),
            _ => (false, "10"),
        };
        let (all_but, count) = match spec.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, spec),
        };
        let Some(count) = parse_count(count) else {
            io.err(format!("head: invalid number '{spec}'\n"));
            return 1;
        };
        let files = operands_or_stdin(&opts.operands);
        let headers = (files.len() > 1 || opts.has('v')) && !opts.has('q');
        let mut status = 0;
        let mut first = true;
        for f in &files {
            // Lines from stdin are taken as they come: the rest stays unread.
            if f == "-" && !bytes && !all_but && !headers {
                for _ in 0..count {
                    match io.input.read_line().await {
                        Some(line) => io.out(line),
                        None => break,
                    }
                }
                continue;
            }
            let data = match self.read_operand(f, io).await {
                Ok(d) => d,
                Err(e) => {
                    io.err(format!("head: {f}: {e}\n"));
                    status = 1;
                    continue;
                }
            };
            if headers {
                let name = if f == "-" { "standard input" } else { f };
                io.out(format!("{}==> {name} <==\n", if first { "" } else { "\n" }));
            }
            first = false;
            io.out(cut_head(&data, count, bytes, all_but));
        }
        status
    }

    /// `tail [-n [+]N] [-c [+]N] [-f] [FILE…]`; `-f` never ends.
    pub(super) async fn tail(&mut self, args: &[String], io: &mut Io<'_, '_>) -> Flow {
        let spec = parse_tail(args);
        if spec.follow {
            std::future::pending::<()>().await;
        }
        let files = operands_or_stdin(&spec.files);
        let headers = files.len() > 1;
        let mut opened = 0;
        let mut first = true;
        let mut status = 0;
        for f in &files {
            let data = match self.read_operand(f, io).await {
                Ok(d) => d,
                Err(e) if e == EISDIR => {
                    // Opened, then failed to read.
                    io.err(format!("tail: read error: {e}\n"));
                    opened += 1;
                    status = 1;
                    continue;
                }
                Err(e) => {
                    io.err(format!("tail: can't open '{f}': {e}\n"));
                    status = 1;
                    continue;
                }
            };
            opened += 1;
            if headers {
                let name = if f == "-" { "standard input" } else { f };
                io.out(format!("{}==> {name} <==\n", if first { "" } else { "\n" }));
            }
            first = false;
            io.out(cut_tail(&data, spec.count, spec.bytes, spec.from_start));
        }
        if opened == 0 {
            io.err("tail: no files\n");
        }
        Flow::Normal(status)
    }

    /// `sort [-rnus] [-t C] [-k N[,M]] [FILE…]`.
    pub(super) async fn sort(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "rnusfbt:k:o:") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "sort", &e),
        };
        let mut all = Vec::new();
        for f in operands_or_stdin(&opts.operands) {
            match self.read_operand(&f, io).await {
                // A directory reads as nothing.
                Err(e) if e == EISDIR => {}
                Ok(d) if all.len() + d.len() > MAX_FILE => {
                    io.err("sort: out of memory\n");
                    return 2;
                }
                Ok(d) => {
                    all.extend_from_slice(&d);
                    if !all.is_empty() && !all.ends_with(b"\n") {
                        all.push(b'\n');
                    }
                }
                Err(e) => {
                    io.err(format!("sort: {f}: {e}\n"));
                    return 2;
                }
            }
        }
        let key = SortKey {
            numeric: opts.has('n'),
            fold: opts.has('f'),
            sep: opts.value('t').and_then(|t| t.bytes().next()),
            field: opts
                .value('k')
                .and_then(|k| k.split([',', '.']).next()?.parse::<usize>().ok()),
        };
        // Sorting keeps a slice per line: bounded apart from the bytes.
        if line_count(&all) > MAX_SORT_LINES {
            io.err("sort: out of memory\n");
            return 2;
        }
        let mut list: Vec<&[u8]> = lines(&all).map(chomp).collect();
        let whole = !(opts.has('s') || opts.has('u'));
        list.sort_by(|a, b| {
            let o = key.cmp(a, b);
            let o = if o == Ordering::Equal && whole {
                a.cmp(b)
            } else {
                o
            };
            if opts.has('r') {
                o.reverse()
            } else {
                o
            }
        });
        if opts.has('u') {
            list.dedup_by(|a, b| key.cmp(a, b) == Ordering::Equal);
        }
        let mut out = Vec::with_capacity(all.len());
        for l in list {
            out.extend_from_slice(l);
            out.push(b'\n');
        }
        match opts.value('o') {
            Some(path) => match self.fs().map(|fs| fs.write(&self.cwd, path, &out, false)) {
                Some(Ok(())) => 0,
                Some(Err(e)) => {
                    io.err(format!("sort: can't open '{path}': {e}\n"));
                    2
                }
                None => 0,
            },
            None => {
                io.out(out);
                0
            }
        }
    }

    /// `uniq [-c] [-d] [-u] [-i] [INPUT [OUTPUT]]`.
    pub(super) async fn uniq(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "cdui") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "uniq", &e),
        };
        let input = opts.operands.first().map_or("-", String::as_str);
        let data = match self.read_operand(input, io).await {
            Ok(d) => d,
            Err(e) => {
                io.err(format!("uniq: can't open '{input}': {e}\n"));
                return 1;
            }
        };
        let same = |a: &[u8], b: &[u8]| {
            if opts.has('i') {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        let mut out = Vec::new();
        let emit = |line: &[u8], n: usize, out: &mut Vec<u8>| {
            if (opts.has('d') && n < 2) || (opts.has('u') && n > 1) {
                return;
            }
            if opts.has('c') {
                out.extend_from_slice(format!("{n:7} ").as_bytes());
            }
            out.extend_from_slice(line);
            out.push(b'\n');
        };
        let mut run: Option<(&[u8], usize)> = None;
        for line in lines(&data).map(chomp) {
            run = match run {
                Some((prev, n)) if same(prev, line) => Some((prev, n + 1)),
                Some((prev, n)) => {
                    emit(prev, n, &mut out);
                    Some((line, 1))
                }
                None => Some((line, 1)),
            };
        }
        if let Some((prev, n)) = run {
            emit(prev, n, &mut out);
        }
        match opts.operands.get(1) {
            Some(path) => match self.fs().map(|fs| fs.write(&self.cwd, path, &out, false)) {
                Some(Err(e)) => {
                    io.err(format!("uniq: can't open '{path}': {e}\n"));
                    1
                }
                _ => 0,
            },
            None => {
                io.out(out);
                0
            }
        }
    }

    /// `tr [-cds] SET1 [SET2]` from stdin.
    pub(super) async fn tr(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "cdsC") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "tr", &e),
        };
        let (delete, squeeze) = (opts.has('d'), opts.has('s'));
        let complement = opts.has('c') || opts.has('C');
        let sets: Vec<Vec<u8>> = opts.operands.iter().map(|s| tr_set(s)).collect();
        let need = if delete && !squeeze || squeeze && !delete {
            1
        } else {
            2
        };
        if sets.is_empty() || (sets.len() < need && !(squeeze && sets.len() == 1)) {
            io.err("tr: missing operand\n");
            return 1;
        }
        let mut in1 = [false; 256];
        for &b in &sets[0] {
            in1[b as usize] = true;
        }
        if complement {
            for x in in1.iter_mut() {
                *x = !*x;
            }
        }
        // The translation map (a byte maps to itself unless SET1 holds it).
        let mut map: [u8; 256] = std::array::from_fn(|i| i as u8);
        let translate = !delete && sets.len() > 1;
        if translate {
            let set2 = &sets[1];
            if complement {
                let last = set2.last().copied().unwrap_or(0);
                for (i, m) in map.iter_mut().enumerate() {
                    if in1[i] {
                        *m = last;
                    }
                }
            } else {
                for (i, &b) in sets[0].iter().enumerate() {
                    let to = set2.get(i).or(set2.last()).copied().unwrap_or(b);
                    map[b as usize] = to;
                }
            }
        }
        // Which bytes squeeze: SET2's when translating, SET1's otherwise.
        let mut sq = [false; 256];
        if squeeze {
            let src: &[u8] = if translate || (delete && sets.len() > 1) {
                &sets[1]
            } else {
                &[]
            };
            if src.is_empty() {
                sq = in1;
            } else {
                for &b in src {
                    sq[b as usize] = true;
                }
            }
        }
        while let Some(chunk) = io.input.read_chunk().await {
            let mut out = Vec::with_capacity(chunk.len());
            let mut last: Option<u8> = None;
            for b in chunk {
                if delete && in1[b as usize] {
                    continue;
                }
                let c = map[b as usize];
                if squeeze && sq[c as usize] && last == Some(c) {
                    continue;
                }
                last = Some(c);
                out.push(c);
            }
            io.out(out);
            io.flush().await;
        }
        0
    }

    /// `cut -d C -f LIST [-s] | -c LIST | -b LIST [FILE…]`.
    pub(super) async fn cut(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "d:f:c:b:sn") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "cut", &e),
        };
        let (fields, list) = match (opts.value('f'), opts.value('c').or(opts.value('b'))) {
            (Some(f), None) => (true, f),
            (None, Some(c)) => (false, c),
            (Some(_), Some(_)) => {
                io.err("cut: only one list may be specified\n");
                return 1;
            }
            (None, None) => {
                io.err("cut: expected a list of bytes, characters, or fields\n");
                return 1;
            }
        };
        let Some(ranges) = parse_list(list) else {
            io.err(format!("cut: invalid byte or field list '{list}'\n"));
            return 1;
        };
        let delim = match opts.value('d') {
            Some(d) if d.len() == 1 => d.as_bytes()[0],
            Some(_) => {
                io.err("cut: the delimiter must be a single character\n");
                return 1;
            }
            None => b'\t',
        };
        let mut status = 0;
        for f in operands_or_stdin(&opts.operands) {
            let data = match self.read_operand(&f, io).await {
                Ok(d) => d,
                Err(e) if e == EISDIR => continue,
                Err(e) => {
                    io.err(format!("cut: {f}: {e}\n"));
                    status = 1;
                    continue;
                }
            };
            let mut out = Vec::new();
            for line in lines(&data).map(chomp) {
                let pick = |i: usize| ranges.iter().any(|&(a, b)| i >= a && i <= b);
                if fields {
                    if !line.contains(&delim) {
                        if !opts.has('s') {
                            out.extend_from_slice(line);
                            out.push(b'\n');
                        }
                        continue;
                    }
                    let picked: Vec<&[u8]> = line
                        .split(|&b| b == delim)
                        .enumerate()
                        .filter(|(i, _)| pick(i + 1))
                        .map(|(_, f)| f)
                        .collect();
                    out.extend_from_slice(&picked.join(&delim));
                } else {
                    out.extend(
                        line.iter()
                            .enumerate()
                            .filter(|(i, _)| pick(i + 1))
                            .map(|(_, b)| *b),
                    );
                }
                out.push(b'\n');
            }
            io.out(out);
        }
        status
    }

    /// `sha256sum`/`md5sum [FILE…]`: `HEX  NAME` lines.
    pub(super) async fn digest(&mut self, name: &str, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "bt") {
            Ok(o) => o,
            Err(e) => return bad_option(io, name, &e),
        };
        let mut status = 0;
        for f in operands_or_stdin(&opts.operands) {
            let data = match self.read_operand(&f, io).await {
                Ok(d) => d,
                Err(e) => {
                    let verb = if e == EISDIR { "read" } else { "open" };
                    io.err(format!("{name}: can't {verb} '{f}': {e}\n"));
                    status = 1;
                    continue;
                }
            };
            let hex = if name == "md5sum" {
                hex(&<md5::Md5 as md5::Digest>::digest(&data))
            } else {
                hex(&<sha2::Sha256 as sha2::Digest>::digest(&data))
            };
            io.out(format!("{hex}  {f}\n"));
        }
        status
    }
}

/// Lowercase hex of bytes.
fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The operands, or `-` (stdin) when there are none.
fn operands_or_stdin(operands: &[String]) -> Vec<String> {
    if operands.is_empty() {
        vec!["-".to_string()]
    } else {
        operands.to_vec()
    }
}

/// `-5` means `-n 5` (head's old syntax), unless it is the value of `-n`
/// or `-c`.
fn numeric_shorthand(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut value_next = false;
    for a in args {
        match a.strip_prefix('-') {
            Some(n) if !value_next && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                out.extend(["-n".to_string(), n.to_string()]);
            }
            _ => out.push(a.clone()),
        }
        value_next = a == "-n" || a == "-c";
    }
    out
}

/// A count with busybox's suffixes (`b` 512, `k` 1024, `m` 1048576).
pub(crate) fn parse_count(s: &str) -> Option<usize> {
    let (digits, mult) = match s.as_bytes().last() {
        Some(b'b') => (&s[..s.len() - 1], 512),
        Some(b'k') => (&s[..s.len() - 1], 1024),
        Some(b'm') => (&s[..s.len() - 1], 1 << 20),
        _ => (s, 1),
    };
    digits.parse::<usize>().ok()?.checked_mul(mult)
}

/// How many lines `data` holds (a last line without `\n` counts).
fn line_count(data: &[u8]) -> usize {
    let n = data.iter().filter(|&&b| b == b'\n').count();
    n + usize::from(!data.is_empty() && !data.ends_with(b"\n"))
}

/// Where line `n` (0-based) starts, or the end of `data`.
fn line_start(data: &[u8], n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    data.iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(n - 1)
        .map_or(data.len(), |(i, _)| i + 1)
}

/// The first `count` lines (or bytes), or all but the last `count`. Lines
/// are found by scanning: nothing per line is kept.
fn cut_head(data: &[u8], count: usize, bytes: bool, all_but: bool) -> &[u8] {
    let n = match (bytes, all_but) {
        (true, false) => count.min(data.len()),
        (true, true) => data.len().saturating_sub(count),
        (false, false) => line_start(data, count),
        (false, true) => line_start(data, line_count(data).saturating_sub(count)),
    };
    &data[..n]
}

/// The last `count` lines (or bytes), or from the `count`th on.
fn cut_tail(data: &[u8], count: usize, bytes: bool, from_start: bool) -> &[u8] {
    let skip = match (bytes, from_start) {
        (true, true) => count.saturating_sub(1),
        (true, false) => data.len().saturating_sub(count),
        (false, true) => line_start(data, count.saturating_sub(1)),
        (false, false) => line_start(data, line_count(data).saturating_sub(count)),
    };
    &data[skip.min(data.len())..]
}

/// Lines, words, bytes and the longest line of `data`.
fn wc_counts(data: &[u8]) -> [u64; 4] {
    let mut c = [0u64; 4];
    let mut in_word = false;
    let mut len = 0u64;
    for &b in data {
        if b == b'\n' {
            c[0] += 1;
            c[3] = c[3].max(len);
            len = 0;
        } else if b == b'\t' {
            len = (len / 8 + 1) * 8;
        } else {
            len += 1;
        }
        if b.is_ascii_whitespace() {
            in_word = false;
        } else if !in_word {
            in_word = true;
            c[1] += 1;
        }
    }
    c[3] = c[3].max(len);
    c[2] = data.len() as u64;
    c
}

/// One line of `wc`'s output.
fn wc_line(cols: &[char], counts: &[u64; 4], name: &str, pad: bool) -> String {
    let mut s = String::new();
    for (i, c) in cols.iter().enumerate() {
        let v = counts["lwcL".find(*c).unwrap_or(0)];
        if i > 0 {
            s.push(' ');
        }
        if pad {
            let _ = write!(s, "{v:9}");
        } else {
            let _ = write!(s, "{v}");
        }
    }
    if !name.is_empty() {
        s.push(' ');
        s.push_str(name);
    }
    s.push('\n');
    s
}

/// `sort`'s key: the whole line or one field, numeric or not.
struct SortKey {
    numeric: bool,
    fold: bool,
    sep: Option<u8>,
    field: Option<usize>,
}

impl SortKey {
    fn key<'a>(&self, line: &'a [u8]) -> &'a [u8] {
        let Some(n) = self.field.filter(|n| *n > 1) else {
            return line;
        };
        match self.sep {
            Some(sep) => line.split(|&b| b == sep).nth(n - 1).unwrap_or(b""),
            None => {
                // Blank-separated: a field starts with its leading blanks.
                let mut start = 0;
                let mut i = 0;
                for _ in 1..n {
                    while i < line.len() && line[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    while i < line.len() && !line[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    start = i;
                }
                &line[start.min(line.len())..]
            }
        }
    }

    fn cmp(&self, a: &[u8], b: &[u8]) -> Ordering {
        let (ka, kb) = (self.key(a), self.key(b));
        if self.numeric {
            number(ka)
                .partial_cmp(&number(kb))
                .unwrap_or(Ordering::Equal)
        } else if self.fold {
            ka.to_ascii_uppercase().cmp(&kb.to_ascii_uppercase())
        } else {
            ka.cmp(kb)
        }
    }
}

/// The number a line starts with, as `strtod` reads it (0 when none).
fn number(s: &[u8]) -> f64 {
    let text = String::from_utf8_lossy(s);
    let t = text.trim_start();
    let mut end = 0;
    let b = t.as_bytes();
    if end < b.len() && (b[end] == b'-' || b[end] == b'+') {
        end += 1;
    }
    while end < b.len() && b[end].is_ascii_digit() {
        end += 1;
    }
    if end < b.len() && b[end] == b'.' {
        end += 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
    }
    if end < b.len() && (b[end] == b'e' || b[end] == b'E') {
        let mut e = end + 1;
        if e < b.len() && (b[e] == b'-' || b[e] == b'+') {
            e += 1;
        }
        if e < b.len() && b[e].is_ascii_digit() {
            while e < b.len() && b[e].is_ascii_digit() {
                e += 1;
            }
            end = e;
        }
    }
    t[..end].parse().unwrap_or(0.0)
}

/// `cut`'s list: 1-based inclusive ranges.
fn parse_list(list: &str) -> Option<Vec<(usize, usize)>> {
    let mut out = Vec::new();
    for part in list.split(',') {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (
                if a.is_empty() { 1 } else { a.parse().ok()? },
                if b.is_empty() {
                    usize::MAX
                } else {
                    b.parse().ok()?
                },
            ),
            None => {
                let n = part.parse().ok()?;
                (n, n)
            }
        };
        if a == 0 || a > b {
            return None;
        }
        out.push((a, b));
    }
    Some(out)
}

/// A `tr` set: escapes, ranges and `[:class:]` expanded to bytes.
fn tr_set(spec: &str) -> Vec<u8> {
    let s = spec.as_bytes();
    let mut raw: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'[' && s[i..].starts_with(b"[:") {
            if let Some(end) = s[i + 2..].windows(2).position(|w| w == b":]") {
                let class = &s[i + 2..i + 2 + end];
                let test: Option<fn(&u8) -> bool> = match class {
                    b"alpha" => Some(u8::is_ascii_alphabetic),
                    b"digit" => Some(u8::is_ascii_digit),
                    b"lower" => Some(u8::is_ascii_lowercase),
                    b"upper" => Some(u8::is_ascii_uppercase),
                    b"space" => Some(u8::is_ascii_whitespace),
                    b"alnum" => Some(u8::is_ascii_alphanumeric),
                    b"punct" => Some(u8::is_ascii_punctuation),
                    b"xdigit" => Some(u8::is_ascii_hexdigit),
                    b"cntrl" => Some(u8::is_ascii_control),
                    b"blank" => Some(|b: &u8| *b == b' ' || *b == b'\t'),
                    _ => None,
                };
                if let Some(test) = test {
                    raw.extend((0u8..=255).filter(test));
                    i += end + 4;
                    continue;
                }
            }
        }
        let (b, next) = tr_char(s, i);
        if next + 1 < s.len() && s[next] == b'-' {
            let (hi, after) = tr_char(s, next + 1);
            if hi >= b {
                raw.extend(b..=hi);
            }
            i = after;
            continue;
        }
        raw.push(b);
        i = next;
    }
    raw
}

/// One (possibly escaped) byte of a `tr` set and where the next starts.
fn tr_char(s: &[u8], i: usize) -> (u8, usize) {
    if s[i] != b'\\' || i + 1 >= s.len() {
        return (s[i], i + 1);
    }
    let c = s[i + 1];
    match c {
        b'n' => (b'\n', i + 2),
        b't' => (b'\t', i + 2),
        b'r' => (b'\r', i + 2),
        b'\\' => (b'\\', i + 2),
        b'0'..=b'7' => {
            let mut v: u32 = 0;
            let mut j = i + 1;
            while j < s.len() && j < i + 4 && (b'0'..=b'7').contains(&s[j]) {
                v = v * 8 + u32::from(s[j] - b'0');
                j += 1;
            }
            (v as u8, j)
        }
        _ => (c, i + 2),
    }
}
