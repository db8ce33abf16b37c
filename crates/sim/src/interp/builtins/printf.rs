//! `echo` and `printf`: backslash escapes, C-style formats and integer
//! parsing like the C `printf` utility.

use std::fmt::Write as _;

use crate::interp::io::Io;
use crate::interp::limits::{MAX_VALUE, OUT_OF_SPACE};

/// Backslash escape after a `\` at `chars[i..]`: (text, chars consumed,
/// stop output). `echo_style` selects `\0NNN` octal and enables `\c`.
fn escape_at(chars: &[char], i: usize, echo_style: bool) -> (String, usize, bool) {
    let Some(&c) = chars.get(i) else {
        return ("\\".into(), 0, false);
    };
    let simple = match c {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        '\\' => Some('\\'),
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'v' => Some('\x0b'),
        'e' => Some('\x1b'),
        '"' if !echo_style => Some('"'),
        '\'' if !echo_style => Some('\''),
        _ => None,
    };
    if let Some(s) = simple {
        return (s.to_string(), 1, false);
    }
    if c == 'c' && echo_style {
        return (String::new(), 1, true);
    }
    let (start, max) = if echo_style {
        if c != '0' {
            return (format!("\\{c}"), 1, false);
        }
        (i + 1, 3)
    } else if c.is_digit(8) {
        (i, 3)
    } else if c == 'x' {
        let mut n = 0u32;
        let mut used = 0;
        while used < 2 {
            match chars.get(i + 1 + used).and_then(|d| d.to_digit(16)) {
                Some(d) => n = n * 16 + d,
                None => break,
            }
            used += 1;
        }
        if used == 0 {
            return ("\\x".into(), 1, false);
        }
        return (byte_char(n).to_string(), 1 + used, false);
    } else {
        return (format!("\\{c}"), 1, false);
    };
    let mut n = 0u32;
    let mut used = 0;
    while used < max {
        match chars.get(start + used).and_then(|d| d.to_digit(8)) {
            Some(d) => n = n * 8 + d,
            None => break,
        }
        used += 1;
    }
    (byte_char(n).to_string(), start - i + used, false)
}

/// The character of a byte value (`\\NNN`, `\\xHH`).
fn byte_char(n: u32) -> char {
    char::from(u8::try_from(n & 0xff).unwrap_or(0))
}

/// Expands escapes; the flag tells whether `\c` stopped output.
fn unescape(s: &str, echo_style: bool) -> (String, bool) {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' {
            let (text, used, stop) = escape_at(&chars, i + 1, echo_style);
            out.push_str(&text);
            if stop {
                return (out, true);
            }
            i += 1 + used;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    (out, false)
}

/// `echo [-neE] ARGS…`'s output.
pub(super) fn echo(args: &[String]) -> String {
    let mut newline = true;
    let mut escapes = false;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let Some(flags) = arg.strip_prefix('-') else {
            break;
        };
        if flags.is_empty() || !flags.chars().all(|c| matches!(c, 'n' | 'e' | 'E')) {
            break;
        }
        for c in flags.chars() {
            match c {
                'n' => newline = false,
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        i += 1;
    }
    let joined = args[i..].join(" ");
    let mut out = if escapes {
        let (text, stop) = unescape(&joined, true);
        if stop {
            return text;
        }
        text
    } else {
        joined
    };
    if newline {
        out.push('\n');
    }
    out
}

/// Parses an integer like the C `printf` utility (`0x`, octal, `'c`).
fn parse_int(s: &str) -> Result<i64, ()> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(0);
    }
    if let Some(c) = t.strip_prefix(['\'', '"']).and_then(|r| r.chars().next()) {
        return Ok(i64::from(u32::from(c)));
    }
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let value = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(h, 16)
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8)
    } else {
        digits.parse()
    }
    .map_err(|_| ())?;
    Ok(if neg { -value } else { value })
}

/// Pads to `width`: left-aligned, zero-filled after the sign, or
/// right-aligned.
fn pad(body: String, width: usize, left: bool, zero: bool) -> String {
    let len = body.chars().count();
    if len >= width {
        return body;
    }
    let fill = width - len;
    if left {
        format!("{body}{}", " ".repeat(fill))
    } else if zero {
        let (sign, digits) = match body.strip_prefix(['-', '+']) {
            Some(d) => (&body[..1], d),
            None => ("", body.as_str()),
        };
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

/// C's `%e`: at least two exponent digits, with a sign.
fn c_exp(v: f64, prec: usize, upper: bool) -> String {
    let s = format!("{v:.prec$e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if exp < 0 { '-' } else { '+' };
    let out = format!("{mant}e{sign}{:02}", exp.abs());
    if upper {
        out.to_uppercase()
    } else {
        out
    }
}

/// Largest field width or precision `printf` honours (its whole output is
/// bounded by [`MAX_VALUE`]).
const MAX_PAD: usize = 1 << 16;

/// The `printf` builtin: writes the output and errors; the usage error when
/// there is no format.
pub(super) fn run_printf(args: &[String], io: &mut Io<'_, '_>) -> i32 {
    let Some((fmt, rest)) = args.split_first() else {
        io.err("printf: usage: printf format [arg ...]\n");
        return 2;
    };
    let (out, err, status) = printf(fmt, rest);
    io.out(out);
    io.err(err);
    status
}

/// `printf FORMAT ARGS…` → (stdout, stderr, status). The format is reused
/// while arguments remain.
fn printf(fmt: &str, args: &[String]) -> (String, String, i32) {
    let mut p = Printf {
        f: fmt.chars().collect(),
        args,
        idx: 0,
        out: String::new(),
        err: String::new(),
        status: 0,
    };
    loop {
        let start_idx = p.idx;
        if !p.pass() {
            break;
        }
        if p.idx >= args.len() || p.idx == start_idx {
            break;
        }
    }
    (p.out, p.err, p.status)
}

/// A `printf` in progress.
struct Printf<'a> {
    f: Vec<char>,
    args: &'a [String],
    /// The next argument to consume.
    idx: usize,
    out: String,
    err: String,
    status: i32,
}

/// A directive's flags, width and precision.
struct Spec {
    flags: String,
    width: usize,
    left: bool,
    zero: bool,
    prec: Option<usize>,
}

impl Printf<'_> {
    /// Formats the whole format once; false when output must stop (an
    /// invalid directive, or `\c` in a `%b` argument).
    fn pass(&mut self) -> bool {
        let mut i = 0;
        while i < self.f.len() {
            if self.out.len() > MAX_VALUE {
                // Output is bounded like any expansion: stop, as out of memory.
                let _ = writeln!(self.err, "printf: {OUT_OF_SPACE}");
                self.status = 1;
                return false;
            }
            let c = self.f[i];
            if c == '\\' {
                let (text, used, _) = escape_at(&self.f, i + 1, false);
                self.out.push_str(&text);
                i += 1 + used;
                continue;
            }
            if c != '%' {
                self.out.push(c);
                i += 1;
                continue;
            }
            i += 1;
            if self.f.get(i) == Some(&'%') {
                self.out.push('%');
                i += 1;
                continue;
            }
            if !self.directive(&mut i) {
                return false;
            }
        }
        true
    }

    /// Formats the directive after a `%` at `f[*i]`; false when output must
    /// stop.
    fn directive(&mut self, i: &mut usize) -> bool {
        let spec = self.spec(i);
        let Some(&conv) = self.f.get(*i) else {
            self.err.push_str("printf: %: invalid directive\n");
            self.status = 1;
            return false;
        };
        *i += 1;
        let arg = self.args.get(self.idx).cloned();
        if !matches!(
            conv,
            's' | 'b' | 'c' | 'd' | 'i' | 'u' | 'x' | 'X' | 'o' | 'f' | 'F' | 'e' | 'E' | 'g' | 'G'
        ) {
            let _ = writeln!(self.err, "printf: %{conv}: invalid directive");
            self.status = 1;
            return false;
        }
        self.idx += 1;
        let (body, stop) = self.convert(conv, arg, &spec);
        let numeric = !matches!(conv, 's' | 'b' | 'c');
        self.out
            .push_str(&pad(body, spec.width, spec.left, spec.zero && numeric));
        !stop
    }

    /// Reads flags, width and precision (`*` takes them from the arguments).
    fn spec(&mut self, i: &mut usize) -> Spec {
        let mut flags = String::new();
        while let Some(&ch) = self.f.get(*i).filter(|ch| "-+ 0#".contains(**ch)) {
            flags.push(ch);
            *i += 1;
        }
        let mut left = flags.contains('-');
        let width = if self.f.get(*i) == Some(&'*') {
            let w = self.next_int();
            left |= w < 0;
            *i += 1;
            usize::try_from(w.unsigned_abs()).unwrap_or(0)
        } else {
            self.digits(i)
        };
        let mut prec: Option<usize> = None;
        if self.f.get(*i) == Some(&'.') {
            *i += 1;
            if self.f.get(*i) == Some(&'*') {
                prec = Some(usize::try_from(self.next_int().max(0)).unwrap_or(0));
                *i += 1;
            } else {
                prec = Some(self.digits(i));
            }
        }
        // Keep absurd widths/precisions from exhausting memory.
        Spec {
            zero: flags.contains('0') && !left,
            flags,
            width: width.min(MAX_PAD),
            left,
            prec: prec.map(|p| p.min(MAX_PAD)),
        }
    }

    /// A decimal number at `f[*i]` (0 if none), saturating.
    fn digits(&self, i: &mut usize) -> usize {
        let mut n = 0usize;
        while let Some(d) = self.f.get(*i).and_then(|d| d.to_digit(10)) {
            n = n.saturating_mul(10).saturating_add(d as usize);
            *i += 1;
        }
        n
    }

    /// The next argument as a `*` width or precision (0 if not a number).
    fn next_int(&mut self) -> i64 {
        let v = self
            .args
            .get(self.idx)
            .and_then(|a| parse_int(a).ok())
            .unwrap_or(0);
        self.idx += 1;
        v
    }

    /// An integer argument; a bad one is reported and counts as 0.
    fn int_arg(&mut self, arg: &Option<String>) -> i64 {
        match arg {
            None => 0,
            Some(a) => parse_int(a).unwrap_or_else(|()| {
                let _ = writeln!(self.err, "printf: {a}: expected numeric value");
                self.status = 1;
                0
            }),
        }
    }

    /// The text of one conversion, and whether output stops after it.
    fn convert(&mut self, conv: char, arg: Option<String>, spec: &Spec) -> (String, bool) {
        let body = match conv {
            's' => {
                let s = arg.unwrap_or_default();
                match spec.prec {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                }
            }
            'b' => return unescape(&arg.unwrap_or_default(), true),
            'c' => arg
                .and_then(|a| a.chars().next())
                .map(String::from)
                .unwrap_or_default(),
            'd' | 'i' | 'u' => {
                let v = self.int_arg(&arg);
                let mut digits = v.unsigned_abs().to_string();
                if let Some(p) = spec.prec {
                    while digits.len() < p {
                        digits.insert(0, '0');
                    }
                }
                let sign = if v < 0 {
                    "-"
                } else if spec.flags.contains('+') {
                    "+"
                } else if spec.flags.contains(' ') {
                    " "
                } else {
                    ""
                };
                format!("{sign}{digits}")
            }
            'x' | 'X' | 'o' => {
                let v = self.int_arg(&arg) as u64;
                match conv {
                    'x' => format!("{v:x}"),
                    'X' => format!("{v:X}"),
                    _ => format!("{v:o}"),
                }
            }
            _ => self.float(conv, &arg, spec.prec),
        };
        (body, false)
    }

    /// `%f`, `%e`, `%g` and their capitals; a bad argument counts as 0.
    fn float(&mut self, conv: char, arg: &Option<String>, prec: Option<usize>) -> String {
        let v: f64 = match arg {
            None => 0.0,
            Some(a) => a.trim().parse().unwrap_or_else(|_| {
                let _ = writeln!(self.err, "printf: {a}: expected numeric value");
                self.status = 1;
                0.0
            }),
        };
        let p = prec.unwrap_or(6);
        match conv {
            'f' | 'F' => format!("{v:.p$}"),
            'e' => c_exp(v, p, false),
            'E' => c_exp(v, p, true),
            _ => format!("{v}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::testkit::*;

    #[test]
    fn helpers() {
        assert_eq!(parse_int("0x10"), Ok(16));
        assert_eq!(parse_int("010"), Ok(8));
        assert_eq!(parse_int("'A"), Ok(65));
        assert_eq!(parse_int("-5"), Ok(-5));
        assert_eq!(printf("%e", &["1234.5".into()]).0, "1.234500e+03");
        assert_eq!(printf("%b", &["a\\nb\\c".into(), "x".into()]).0, "a\nb");
        assert_eq!(printf("%5.1s|", &["xyz".into()]).0, "    x|");
    }

    #[tokio::test(start_paused = true)]
    async fn echo_and_printf() {
        check(vec![
            // echo
            case(&["echo", "hello", "world"], "hello world\n", "", 0),
            case(&["/bin/echo", "-n", "a", "b"], "a b", "", 0),
            case(&["echo"], "\n", "", 0),
            case(&["echo", "-e", "a\\tb\\nc"], "a\tb\nc\n", "", 0),
            case(&["echo", "a\\nb"], "a\\nb\n", "", 0),
            case(&["echo", "-ne", "x\\cy"], "x", "", 0),
            case(&["echo", "-x"], "-x\n", "", 0),
            // printf
            case(&["printf", "%s-%d\\n", "a", "42"], "a-42\n", "", 0),
            case(&["printf", "%s\\n", "a", "b", "c"], "a\nb\nc\n", "", 0),
            case(&["printf", "100%%\\t%i\\\\"], "100%\t0\\", "", 0),
            case(
                &["printf", "[%5s|%-3d|%03d]", "ab", "7", "5"],
                "[   ab|7  |005]",
                "",
                0,
            ),
            case(
                &["printf", "%d\\n", "abc"],
                "0\n",
                "printf: abc: expected numeric value\n",
                1,
            ),
            case(&["printf", "%.2f %x", "3.14159", "255"], "3.14 ff", "", 0),
            case(
                &["printf"],
                "",
                "printf: usage: printf format [arg ...]\n",
                2,
            ),
            // the format is reused while arguments remain
            script("printf '%s %s\\n' a b c", "a b\nc \n", "", 0),
        ])
        .await;
    }
}
