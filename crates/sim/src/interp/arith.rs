//! Arithmetic expansion `$((…))`: 64-bit signed integers with C's operators
//! and precedence, variables by bare name, assignments and `++`/`--`, as
//! busybox `sh` evaluates them (every operand is evaluated: `0 && (x=1)`
//! still assigns `x`; overflow wraps).
//!
//! The expression arrives already expanded (`$n` replaced); a variable's
//! value is itself evaluated as an expression (`x=3+4; $((x*2))` is 14).

/// busybox's message for any malformed expression.
pub(crate) const SYNTAX: &str = "arithmetic syntax error";

/// Deepest nesting of parentheses, unary operators and variables whose
/// values are expressions: deeper is a syntax error, never a stack overflow.
const MAX_NEST: usize = 64;

/// Where arithmetic reads and writes variables.
pub(crate) trait ArithVars {
    /// A variable's value (`None`: unset).
    fn get_var(&self, name: &str) -> Option<String>;
    /// Sets a variable to a number; the error is a message.
    fn set_var_num(&mut self, name: &str, value: i64) -> Result<(), String>;
}

/// Evaluates an expression; an empty one is 0. The error is busybox's
/// message (`arithmetic syntax error`, `divide by zero`…).
pub(crate) fn eval_arith(text: &str, vars: &mut dyn ArithVars) -> Result<i64, String> {
    eval_nested(text, vars, 0)
}

fn eval_nested(text: &str, vars: &mut dyn ArithVars, nest: usize) -> Result<i64, String> {
    let toks = tokenize(text)?;
    if toks.is_empty() {
        return Ok(0);
    }
    let mut p = Eval {
        toks,
        pos: 0,
        vars,
        nest,
    };
    let v = p.assign()?;
    if p.pos != p.toks.len() {
        return Err(SYNTAX.into());
    }
    Ok(v)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(i64),
    Name(String),
    Op(&'static str),
}

/// Operators, longest first so that the first match is the right one.
const OPS: &[&str] = &[
    "<<=", ">>=", "**", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=",
    "*=", "/=", "%=", "&=", "^=", "|=", "+", "-", "*", "/", "%", "<", ">", "&", "|", "^", "!", "~",
    "?", ":", "(", ")", "=",
];

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut toks = Vec::new();
    'outer: while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            toks.push(Tok::Num(parse_number(&text[start..i]).ok_or(SYNTAX)?));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            toks.push(Tok::Name(text[start..i].to_string()));
            continue;
        }
        for op in OPS {
            if text[i..].starts_with(op) {
                toks.push(Tok::Op(op));
                i += op.len();
                continue 'outer;
            }
        }
        return Err(SYNTAX.into());
    }
    Ok(toks)
}

/// A decimal, `0x` hexadecimal or `0` octal constant (wrapping like C).
fn parse_number(s: &str) -> Option<i64> {
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: i64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        v = v.wrapping_mul(i64::from(radix)).wrapping_add(i64::from(d));
    }
    Some(v)
}

struct Eval<'v> {
    toks: Vec<Tok>,
    pos: usize,
    vars: &'v mut dyn ArithVars,
    nest: usize,
}

/// The binary operators by precedence level, loosest first (below `?:`).
const LEVELS: &[&[&str]] = &[
    &["||"],
    &["&&"],
    &["|"],
    &["^"],
    &["&"],
    &["==", "!="],
    &["<", "<=", ">", ">="],
    &["<<", ">>"],
    &["+", "-"],
    &["*", "/", "%"],
];

impl Eval<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn peek_op(&self) -> Option<&'static str> {
        match self.toks.get(self.pos) {
            Some(Tok::Op(op)) => Some(op),
            _ => None,
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), String> {
        if self.peek_op() == Some(op) {
            self.pos += 1;
            Ok(())
        } else {
            Err(SYNTAX.into())
        }
    }

    fn enter(&mut self) -> Result<(), String> {
        self.nest += 1;
        if self.nest > MAX_NEST {
            return Err(SYNTAX.into());
        }
        Ok(())
    }

    /// `NAME op= expr`, or a conditional expression.
    fn assign(&mut self) -> Result<i64, String> {
        if let (Some(Tok::Name(name)), Some(Tok::Op(op))) =
            (self.toks.get(self.pos), self.toks.get(self.pos + 1))
        {
            if op.ends_with('=') && !matches!(*op, "==" | "!=" | "<=" | ">=") {
                let (name, op) = (name.clone(), *op);
                self.pos += 2;
                self.enter()?;
                let rhs = self.assign()?;
                self.nest -= 1;
                let value = if op == "=" {
                    rhs
                } else {
                    let old = self.var(&name)?;
                    binary(&op[..op.len() - 1], old, rhs)?
                };
                self.vars.set_var_num(&name, value)?;
                return Ok(value);
            }
        }
        self.ternary()
    }

    fn ternary(&mut self) -> Result<i64, String> {
        let cond = self.binary_level(0)?;
        if self.peek_op() != Some("?") {
            return Ok(cond);
        }
        self.pos += 1;
        self.enter()?;
        let yes = self.assign()?;
        self.expect(":")?;
        let no = self.ternary()?;
        self.nest -= 1;
        Ok(if cond != 0 { yes } else { no })
    }

    fn binary_level(&mut self, level: usize) -> Result<i64, String> {
        let Some(ops) = LEVELS.get(level) else {
            return self.power();
        };
        let mut lhs = self.binary_level(level + 1)?;
        while let Some(op) = self.peek_op().filter(|op| ops.contains(op)) {
            self.pos += 1;
            let rhs = self.binary_level(level + 1)?;
            lhs = binary(op, lhs, rhs)?;
        }
        Ok(lhs)
    }

    /// `a ** b`, right-associative, binding looser than unary operators.
    fn power(&mut self) -> Result<i64, String> {
        let base = self.unary()?;
        if self.peek_op() != Some("**") {
            return Ok(base);
        }
        self.pos += 1;
        self.enter()?;
        let exp = self.power()?;
        self.nest -= 1;
        binary("**", base, exp)
    }

    fn unary(&mut self) -> Result<i64, String> {
        match self.peek_op() {
            Some(op @ ("-" | "+" | "!" | "~")) => {
                self.pos += 1;
                self.enter()?;
                let v = self.unary()?;
                self.nest -= 1;
                Ok(match op {
                    "-" => v.wrapping_neg(),
                    "+" => v,
                    "!" => i64::from(v == 0),
                    _ => !v,
                })
            }
            Some(op @ ("++" | "--")) => {
                self.pos += 1;
                let Some(Tok::Name(name)) = self.peek().cloned() else {
                    return Err(SYNTAX.into());
                };
                self.pos += 1;
                let v = step(op, self.var(&name)?);
                self.vars.set_var_num(&name, v)?;
                Ok(v)
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<i64, String> {
        let tok = self.peek().cloned().ok_or(SYNTAX)?;
        self.pos += 1;
        match tok {
            Tok::Num(n) => Ok(n),
            Tok::Name(name) => {
                let v = self.var(&name)?;
                if let Some(op @ ("++" | "--")) = self.peek_op() {
                    self.pos += 1;
                    self.vars.set_var_num(&name, step(op, v))?;
                }
                Ok(v)
            }
            Tok::Op("(") => {
                self.enter()?;
                let v = self.assign()?;
                self.nest -= 1;
                self.expect(")")?;
                Ok(v)
            }
            Tok::Op(_) => Err(SYNTAX.into()),
        }
    }

    /// A variable's numeric value: unset or empty is 0, a number is itself,
    /// anything else is evaluated as an expression.
    fn var(&mut self, name: &str) -> Result<i64, String> {
        let value = self.vars.get_var(name).unwrap_or_default();
        let value = value.trim();
        if value.is_empty() {
            return Ok(0);
        }
        if let Some(n) = value.strip_prefix('-').map_or_else(
            || parse_number(value),
            |v| parse_number(v).map(i64::wrapping_neg),
        ) {
            return Ok(n);
        }
        if self.nest + 10 > MAX_NEST {
            return Err(SYNTAX.into());
        }
        eval_nested(value, &mut *self.vars, self.nest + 10)
    }
}

/// `++` or `--` applied to a value.
fn step(op: &str, v: i64) -> i64 {
    if op == "++" {
        v.wrapping_add(1)
    } else {
        v.wrapping_sub(1)
    }
}

/// Applies a binary operator.
fn binary(op: &str, a: i64, b: i64) -> Result<i64, String> {
    Ok(match op {
        "||" => i64::from(a != 0 || b != 0),
        "&&" => i64::from(a != 0 && b != 0),
        "|" => a | b,
        "^" => a ^ b,
        "&" => a & b,
        "==" => i64::from(a == b),
        "!=" => i64::from(a != b),
        "<" => i64::from(a < b),
        "<=" => i64::from(a <= b),
        ">" => i64::from(a > b),
        ">=" => i64::from(a >= b),
        "<<" => a.wrapping_shl((b & 63) as u32),
        ">>" => a.wrapping_shr((b & 63) as u32),
        "+" => a.wrapping_add(b),
        "-" => a.wrapping_sub(b),
        "*" => a.wrapping_mul(b),
        "/" | "%" if b == 0 => return Err("divide by zero".into()),
        "/" => a.wrapping_div(b),
        "%" => a.wrapping_rem(b),
        "**" if b < 0 => return Err("exponent less than 0".into()),
        "**" => {
            let mut r: i64 = 1;
            let (mut base, mut exp) = (a, b);
            while exp > 0 {
                if exp & 1 == 1 {
                    r = r.wrapping_mul(base);
                }
                base = base.wrapping_mul(base);
                exp >>= 1;
            }
            r
        }
        _ => return Err(SYNTAX.into()),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[derive(Default)]
    struct Map(HashMap<String, String>);

    impl ArithVars for Map {
        fn get_var(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }
        fn set_var_num(&mut self, name: &str, value: i64) -> Result<(), String> {
            self.0.insert(name.into(), value.to_string());
            Ok(())
        }
    }

    fn ev(text: &str, vars: &mut Map) -> Result<i64, String> {
        eval_arith(text, vars)
    }

    #[test]
    fn operators_and_precedence_match_busybox() {
        let mut v = Map::default();
        let cases: &[(&str, i64)] = &[
            ("1+2", 3),
            (" 7/2 ", 3),
            ("-2**2", 4),
            ("2**3**2", 512),
            ("-7%3", -1),
            ("1<2", 1),
            ("3>=4", 0),
            ("1&&0", 0),
            ("0||2", 1),
            ("1?2:3", 2),
            ("1<<4", 16),
            ("5&3", 1),
            ("5|3", 7),
            ("5^3", 6),
            ("~5", -6),
            ("!0", 1),
            ("(1+2)*3", 9),
            ("010 + 0x10", 24),
            ("9223372036854775807+1", i64::MIN),
            ("", 0),
            ("1 + 2 * 3 - 4 / 2", 5),
            ("2 == 2 && 3 != 4", 1),
        ];
        for (text, want) in cases {
            assert_eq!(ev(text, &mut v), Ok(*want), "{text}");
        }
    }

    #[test]
    fn variables_and_assignments() {
        let mut v = Map::default();
        assert_eq!(ev("x=5", &mut v), Ok(5));
        assert_eq!(ev("y+=2", &mut v), Ok(2));
        assert_eq!(ev("x*=2", &mut v), Ok(10));
        assert_eq!(ev("i++ + i++", &mut v), Ok(1));
        assert_eq!(ev("++i", &mut v), Ok(3));
        assert_eq!(ev("--i", &mut v), Ok(2));
        assert_eq!(ev("0 && (z=3)", &mut v), Ok(0));
        assert_eq!(v.0.get("z").map(String::as_str), Some("3"));
        v.0.insert("e".into(), "3+4".into());
        assert_eq!(ev("e*2", &mut v), Ok(14));
        v.0.insert("s".into(), " 5 ".into());
        assert_eq!(ev("s+1", &mut v), Ok(6));
        assert_eq!(ev("nope+1", &mut v), Ok(1));
        // A variable whose value names itself is bounded.
        v.0.insert("loop".into(), "loop".into());
        assert_eq!(ev("loop", &mut v), Err(SYNTAX.into()));
    }

    #[test]
    fn errors() {
        let mut v = Map::default();
        for text in ["1 +", "08", "a b", "1 ? 0 : y=3", "(1", ")", "1 $ 2", "++1"] {
            assert_eq!(ev(text, &mut v), Err(SYNTAX.into()), "{text}");
        }
        assert_eq!(ev("1/0", &mut v), Err("divide by zero".into()));
        assert_eq!(ev("3%0", &mut v), Err("divide by zero".into()));
        assert_eq!(ev("2**-1", &mut v), Err("exponent less than 0".into()));
        let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(ev(&deep, &mut v), Err(SYNTAX.into()));
        assert_eq!(ev(&"-".repeat(100_000), &mut v), Err(SYNTAX.into()));
    }
}
