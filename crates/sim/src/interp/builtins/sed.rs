//! `sed [-n] [-E|-r] [-i] [-e SCRIPT…] [SCRIPT] [FILE…]`: the commands job
//! scripts use — `s/RE/REP/[gpNI]` (with `&`, `\1`…`\9`, `\n`), `p`, `d`,
//! `q`, `=`, `y/abc/xyz/`, one-line `a`, `i`, `c`, `{…}` blocks — under line, `$` and
//! `/RE/` addresses, ranges and `!`. Busybox 1.35's words for errors.

use regex::bytes::Regex;

use crate::interp::io::Io;
use crate::interp::limits::MAX_FILE;
use crate::interp::shell::Shell;

use super::fsops::bad_option;
use super::opts::getopt;
use super::regex::compile;

/// An address.
#[derive(Debug, Clone)]
enum Addr {
    Line(usize),
    Last,
    Re(Regex),
}

/// A command's function.
#[derive(Debug, Clone)]
enum Func {
    Subst {
        re: Regex,
        rep: Vec<Rep>,
        global: bool,
        nth: usize,
        print: bool,
    },
    Print,
    Delete,
    Quit,
    LineNo,
    Translate(Vec<(u8, u8)>),
    Append(Vec<u8>),
    Insert(Vec<u8>),
    Change(Vec<u8>),
    /// `{`: when not selected, go on after the matching `}` (its index).
    Block(usize),
    /// `}`.
    End,
}

/// A piece of a replacement.
#[derive(Debug, Clone)]
enum Rep {
    Lit(Vec<u8>),
    Group(usize),
}

/// One command with its addresses.
#[derive(Debug, Clone)]
struct Cmd {
    a1: Option<Addr>,
    a2: Option<Addr>,
    negate: bool,
    func: Func,
    /// In a range (between its addresses).
    active: bool,
}

impl Shell {
    /// `sed`.
    pub(super) async fn sed(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "nErsie:f:") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "sed", &e),
        };
        let mut operands = opts.operands.clone();
        let mut text: Vec<String> = opts.values('e').iter().map(|s| s.to_string()).collect();
        for f in opts.values('f') {
            match self.read_operand(f, io).await {
                Ok(d) => text.push(String::from_utf8_lossy(&d).into_owned()),
                Err(e) => {
                    io.err(format!("sed: can't open '{f}': {e}\n"));
                    return 1;
                }
            }
        }
        if text.is_empty() {
            if operands.is_empty() {
                io.err("sed: no script specified\n");
                return 1;
            }
            text.push(operands.remove(0));
        }
        let extended = opts.has('E') || opts.has('r');
        let mut cmds = Vec::new();
        for t in &text {
            if let Err(e) = parse_script(t, extended, &mut cmds) {
                io.err(format!("sed: {e}\n"));
                return 1;
            }
        }
        let quiet = opts.has('n');
        if opts.has('i') {
            if operands.is_empty() {
                io.err("sed: no input files\n");
                return 1;
            }
            let Some(fs) = self.fs() else { return 1 };
            let mut status = 0;
            for f in &operands {
                let data = match self.read_operand(f, io).await {
                    Ok(d) => d,
                    Err(e) => {
                        io.err(format!("sed: can't open '{f}': {e}\n"));
                        status = 4;
                        continue;
                    }
                };
                let mut c = cmds.clone();
                let mut out = Vec::new();
                run(&mut c, &[data], quiet, &mut out);
                if let Err(e) = fs.write(&self.cwd, f, &out, false) {
                    io.err(format!("sed: can't create '{f}': {e}\n"));
                    status = 4;
                }
            }
            return status;
        }
        if operands.is_empty() {
            operands.push("-".into());
        }
        let mut inputs = Vec::new();
        let mut status = 0;
        let mut total = 0;
        for f in &operands {
            match self.read_operand(f, io).await {
                Err(e) if e == super::text::EISDIR => {}
                Ok(d) => {
                    total += d.len();
                    if total > MAX_FILE {
                        io.err("sed: out of memory\n");
                        return 4;
                    }
                    inputs.push(d);
                }
                Err(e) => {
                    io.err(format!("sed: {f}: {e}\n"));
                    status = 1;
                }
            }
        }
        let mut out = Vec::new();
        run(&mut cmds, &inputs, quiet, &mut out);
        io.out(out);
        status
    }
}

/// Runs the commands over the inputs (one stream) into `out`.
fn run(cmds: &mut [Cmd], inputs: &[Vec<u8>], quiet: bool, out: &mut Vec<u8>) {
    let last_newline = inputs
        .iter()
        .rfind(|d| !d.is_empty())
        .is_none_or(|d| d.ends_with(b"\n"));
    // The lines of every input, one stream; nothing per line is kept.
    let mut lines = inputs
        .iter()
        .flat_map(|d| d.split_inclusive(|&b| b == b'\n'))
        .peekable();
    let mut n = 0;
    while let Some(raw) = lines.next() {
        n += 1;
        let is_last = lines.peek().is_none();
        let mut space: Vec<u8> = raw.strip_suffix(b"\n").unwrap_or(raw).to_vec();
        let newline = !is_last || last_newline;
        let mut deleted = false;
        let mut quit = false;
        let mut append: Vec<u8> = Vec::new();
        let mut pc = 0;
        while let Some(cmd) = cmds.get_mut(pc) {
            pc += 1;
            if !selects(cmd, n, is_last, &space) {
                if let Func::Block(end) = cmd.func {
                    pc = end + 1;
                }
                continue;
            }
            match &cmd.func {
                Func::Block(_) | Func::End => {}
                Func::Subst {
                    re,
                    rep,
                    global,
                    nth,
                    print,
                } => {
                    if let Some(new) = substitute(re, rep, *global, *nth, &space) {
                        space = new;
                        if *print {
                            out.extend_from_slice(&space);
                            out.push(b'\n');
                        }
                    }
                }
                Func::Print => {
                    out.extend_from_slice(&space);
                    out.push(b'\n');
                }
                Func::Delete => {
                    deleted = true;
                    break;
                }
                Func::Quit => {
                    quit = true;
                    break;
                }
                Func::LineNo => out.extend_from_slice(format!("{n}\n").as_bytes()),
                Func::Translate(map) => {
                    for b in space.iter_mut() {
                        if let Some((_, to)) = map.iter().find(|(f, _)| f == b) {
                            *b = *to;
                        }
                    }
                }
                Func::Append(t) => {
                    append.extend_from_slice(t);
                    append.push(b'\n');
                }
                Func::Insert(t) => {
                    out.extend_from_slice(t);
                    out.push(b'\n');
                }
                Func::Change(t) => {
                    if !cmd.active || cmd.a2.is_none() {
                        out.extend_from_slice(t);
                        out.push(b'\n');
                    }
                    deleted = true;
                    break;
                }
            }
        }
        if !deleted && !quiet {
            out.extend_from_slice(&space);
            if newline {
                out.push(b'\n');
            }
        }
        out.extend_from_slice(&append);
        if quit || out.len() > MAX_FILE {
            return;
        }
    }
}

/// Whether `cmd` applies to line `n` (updating its range state).
fn selects(cmd: &mut Cmd, n: usize, is_last: bool, space: &[u8]) -> bool {
    let hit = |a: &Addr| match a {
        Addr::Line(l) => *l == n,
        Addr::Last => is_last,
        Addr::Re(re) => re.is_match(space),
    };
    let yes = match (&cmd.a1, &cmd.a2) {
        (None, _) => true,
        (Some(a1), None) => hit(a1),
        (Some(a1), Some(a2)) => {
            if cmd.active {
                let end = match a2 {
                    Addr::Line(l) => n >= *l,
                    other => hit(other),
                };
                if end {
                    cmd.active = false;
                }
                true
            } else if hit(a1) {
                // A line-number end at or before the start ends the range
                // at once.
                cmd.active = !matches!(a2, Addr::Line(l) if *l <= n);
                true
            } else {
                false
            }
        }
    };
    yes != cmd.negate
}

/// `s` applied to `space`, or `None` when nothing matched.
fn substitute(re: &Regex, rep: &[Rep], global: bool, nth: usize, space: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut last = 0;
    let mut seen = 0;
    let mut done = false;
    for caps in re.captures_iter(space) {
        let Some(m) = caps.get(0) else { continue };
        seen += 1;
        if seen < nth {
            continue;
        }
        out.extend_from_slice(&space[last..m.start()]);
        for r in rep {
            match r {
                Rep::Lit(b) => out.extend_from_slice(b),
                Rep::Group(g) => {
                    if let Some(c) = caps.get(*g) {
                        out.extend_from_slice(c.as_bytes());
                    }
                }
            }
        }
        last = m.end();
        done = true;
        if !global || out.len() > MAX_FILE {
            break;
        }
    }
    if !done {
        return None;
    }
    out.extend_from_slice(&space[last..]);
    Some(out)
}

/// Parses a script's commands into `cmds`; the error is busybox's text.
fn parse_script(text: &str, extended: bool, cmds: &mut Vec<Cmd>) -> Result<(), String> {
    let mut open: Vec<usize> = Vec::new();
    parse_commands(text, extended, cmds, &mut open)?;
    if !open.is_empty() {
        return Err("unmatched '{'".into());
    }
    Ok(())
}

fn parse_commands(
    text: &str,
    extended: bool,
    cmds: &mut Vec<Cmd>,
    open: &mut Vec<usize>,
) -> Result<(), String> {
    let s: Vec<char> = text.chars().collect();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < s.len() && (s[*i] == ' ' || s[*i] == '\t') {
            *i += 1;
        }
    };
    loop {
        while i < s.len() && (s[i].is_whitespace() || s[i] == ';') {
            i += 1;
        }
        if i >= s.len() {
            return Ok(());
        }
        let a1 = parse_addr(&s, &mut i, extended)?;
        let mut a2 = None;
        if a1.is_some() && s.get(i) == Some(&',') {
            i += 1;
            a2 = Some(parse_addr(&s, &mut i, extended)?.ok_or("unexpected ','")?);
        }
        skip_ws(&mut i);
        let mut negate = false;
        while s.get(i) == Some(&'!') {
            negate = true;
            i += 1;
            skip_ws(&mut i);
        }
        let Some(&c) = s.get(i) else {
            return Err("missing command".into());
        };
        i += 1;
        let func = match c {
            '{' => {
                open.push(cmds.len());
                Func::Block(0)
            }
            '}' => {
                let start = open.pop().ok_or("unexpected '}'")?;
                let end = cmds.len();
                if let Some(Cmd {
                    func: Func::Block(e),
                    ..
                }) = cmds.get_mut(start)
                {
                    *e = end;
                }
                Func::End
            }
            'p' => Func::Print,
            'd' => Func::Delete,
            'q' => Func::Quit,
            '=' => Func::LineNo,
            's' => parse_subst(&s, &mut i, extended)?,
            'y' => {
                let delim = *s.get(i).ok_or("unterminated 'y' command")?;
                i += 1;
                let from = until(&s, &mut i, delim).ok_or("unterminated 'y' command")?;
                let to = until(&s, &mut i, delim).ok_or("unterminated 'y' command")?;
                let (from, to) = (unescape(&from), unescape(&to));
                if from.len() != to.len() {
                    return Err("strings for y command are different lengths".into());
                }
                Func::Translate(from.into_iter().zip(to).collect())
            }
            'a' | 'i' | 'c' => {
                skip_ws(&mut i);
                if s.get(i) == Some(&'\\') {
                    i += 1;
                    if s.get(i) == Some(&'\n') {
                        i += 1;
                    }
                }
                let start = i;
                while i < s.len() && s[i] != '\n' {
                    i += 1;
                }
                let t: String = s[start..i].iter().collect();
                let t = unescape(&t);
                match c {
                    'a' => Func::Append(t),
                    'i' => Func::Insert(t),
                    _ => Func::Change(t),
                }
            }
            other => return Err(format!("unsupported command {other}")),
        };
        cmds.push(Cmd {
            a1,
            a2,
            negate,
            func,
            active: false,
        });
        skip_ws(&mut i);
        if matches!(cmds.last().map(|c| &c.func), Some(Func::Block(_))) {
            continue;
        }
        match s.get(i) {
            None | Some(';' | '\n' | '}') => {}
            Some(_) if matches!(cmds.last().map(|c| &c.func), Some(Func::Subst { .. })) => {
                return Err("unknown option to 's'".into())
            }
            Some(&x) => return Err(format!("extra characters after command: {x}")),
        }
    }
}

/// An address at `s[*i]`, if one is there.
fn parse_addr(s: &[char], i: &mut usize, extended: bool) -> Result<Option<Addr>, String> {
    match s.get(*i) {
        Some(c) if c.is_ascii_digit() => {
            let start = *i;
            while *i < s.len() && s[*i].is_ascii_digit() {
                *i += 1;
            }
            let n: String = s[start..*i].iter().collect();
            Ok(Some(Addr::Line(n.parse().map_err(|_| "bad address")?)))
        }
        Some('$') => {
            *i += 1;
            Ok(Some(Addr::Last))
        }
        Some(&c) if c == '/' || c == '\\' => {
            let delim = if c == '\\' {
                *i += 1;
                *s.get(*i).ok_or("unterminated address regex")?
            } else {
                '/'
            };
            *i += 1;
            let pat = until(s, i, delim).ok_or("unterminated address regex")?;
            let mut icase = false;
            if s.get(*i) == Some(&'I') {
                icase = true;
                *i += 1;
            }
            let re =
                compile(&pat, extended, icase).map_err(|e| format!("bad regex '{pat}': {e}"))?;
            Ok(Some(Addr::Re(re)))
        }
        _ => Ok(None),
    }
}

/// The text up to an unescaped `delim` (a `\delim` becomes `delim`, other
/// escapes stay); `*i` moves past the delimiter.
fn until(s: &[char], i: &mut usize, delim: char) -> Option<String> {
    let mut out = String::new();
    let mut in_bracket = false;
    while *i < s.len() {
        let c = s[*i];
        if c == '\\' && *i + 1 < s.len() {
            let n = s[*i + 1];
            if n == delim && !in_bracket {
                out.push(delim);
            } else if n == 'n' && !in_bracket {
                out.push('\n');
            } else {
                out.push(c);
                out.push(n);
            }
            *i += 2;
            continue;
        }
        if c == '[' && !in_bracket {
            in_bracket = true;
            out.push(c);
            *i += 1;
            // `]` first in a bracket is literal.
            for lead in ['^', ']'] {
                if s.get(*i) == Some(&lead) {
                    out.push(lead);
                    *i += 1;
                }
            }
            continue;
        }
        if c == ']' && in_bracket {
            in_bracket = false;
        }
        if c == delim && !in_bracket {
            *i += 1;
            return Some(out);
        }
        out.push(c);
        *i += 1;
    }
    None
}

/// `s/RE/REP/FLAGS` after the `s`.
fn parse_subst(s: &[char], i: &mut usize, extended: bool) -> Result<Func, String> {
    let delim = *s.get(*i).ok_or("unterminated 's' command")?;
    if delim == '\n' || delim == '\\' {
        return Err("unterminated 's' command".into());
    }
    *i += 1;
    let pat = until(s, i, delim).ok_or("unterminated 's' command")?;
    // The replacement keeps its escapes (they are read below).
    let mut rep_text = String::new();
    loop {
        let Some(&c) = s.get(*i) else {
            return Err("unterminated 's' command".into());
        };
        *i += 1;
        if c == '\\' {
            let n = *s.get(*i).ok_or("unterminated 's' command")?;
            *i += 1;
            if n == delim {
                rep_text.push(delim);
                continue;
            }
            rep_text.push('\\');
            rep_text.push(n);
            continue;
        }
        if c == delim {
            break;
        }
        rep_text.push(c);
    }
    let (mut global, mut nth, mut print, mut icase) = (false, 1, false, false);
    while let Some(&c) = s.get(*i) {
        match c {
            'g' => global = true,
            'p' => print = true,
            'i' | 'I' => icase = true,
            d if d.is_ascii_digit() => {
                let start = *i;
                while *i < s.len() && s[*i].is_ascii_digit() {
                    *i += 1;
                }
                let n: String = s[start..*i].iter().collect();
                nth = n.parse().map_err(|_| "bad number")?;
                if nth == 0 {
                    return Err("number option to 's' command may not be zero".into());
                }
                continue;
            }
            _ => break,
        }
        *i += 1;
    }
    let re = compile(&pat, extended, icase).map_err(|e| format!("bad regex '{pat}': {e}"))?;
    let groups = re.captures_len() - 1;
    let mut rep = Vec::new();
    let mut lit = Vec::new();
    let mut chars = rep_text.chars();
    let mut buf = [0u8; 4];
    while let Some(c) = chars.next() {
        match c {
            '&' => {
                rep.push(Rep::Lit(std::mem::take(&mut lit)));
                rep.push(Rep::Group(0));
            }
            '\\' => match chars.next() {
                Some(d @ '0'..='9') => {
                    let g = d as usize - '0' as usize;
                    if g > groups {
                        return Err(format!("invalid reference \\{g} on s command's RHS"));
                    }
                    rep.push(Rep::Lit(std::mem::take(&mut lit)));
                    rep.push(Rep::Group(g));
                }
                Some('n') => lit.push(b'\n'),
                Some('t') => lit.push(b'\t'),
                Some(o) => lit.extend_from_slice(o.encode_utf8(&mut buf).as_bytes()),
                None => {}
            },
            o => lit.extend_from_slice(o.encode_utf8(&mut buf).as_bytes()),
        }
    }
    rep.push(Rep::Lit(lit));
    Ok(Func::Subst {
        re,
        rep,
        global,
        nth,
        print,
    })
}

/// Text with `\n`, `\t` and `\\` escapes read.
fn unescape(t: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chars = t.chars();
    let mut buf = [0u8; 4];
    while let Some(c) = chars.next() {
        let c = if c == '\\' {
            match chars.next() {
                Some('n') => '\n',
                Some('t') => '\t',
                Some(o) => o,
                None => break,
            }
        } else {
            c
        };
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
    out
}
