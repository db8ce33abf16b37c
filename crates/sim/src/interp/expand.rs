//! Word expansion: parameters (`$V`, `${V:-w}`…, special parameters), `~`,
//! command substitution (`$(…)`, backquotes) and field splitting of unquoted
//! results.

use super::arith::{eval_arith, ArithVars};
use super::ast::{as_assignment, is_name, OpKind, ParamOp, Part, Script, Word};
use super::io::{Fds, Io};
use super::limits::{MAX_TRIM, MAX_VALUE, OUT_OF_SPACE};
use super::pathname;
use super::pattern::glob_match;
use super::shell::{BoxFut, Flow, Origin, Shell};

/// Accumulates the fields of an expansion, splitting unquoted text; at most
/// [`MAX_VALUE`] bytes of text in all (see [`Fields::check`]).
#[derive(Debug, Default)]
struct Fields {
    done: Vec<String>,
    cur: String,
    /// `cur` is a field even if empty (it holds quoted text).
    valid: bool,
    /// Unquoted text splits on blanks (argv words; not assignments).
    split: bool,
    /// Bytes of text taken so far (with those of earlier words).
    len: usize,
    /// Text was refused: the expansion is over [`MAX_VALUE`].
    overflowed: bool,
    /// A pattern: quoted text is escaped so that it matches itself.
    pattern: bool,
    /// The field separators (`$IFS`; unset: blank, tab, newline).
    ifs: Ifs,
    /// A separator just ended a field: IFS white space after it is absorbed
    /// and one non-white separator does not start an empty field.
    sep: bool,
    /// The current field as a pathname pattern (quoted text escaped), when it
    /// has an unquoted wildcard; with `split` only.
    cur_pattern: String,
    cur_wild: bool,
    /// The pattern of each finished field that had an unquoted wildcard.
    patterns: Vec<Option<String>>,
}

/// `IFS` when the variable is unset.
const DEFAULT_IFS: &str = " \t\n";

/// `$IFS` as field splitting and `read` read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ifs(String);

impl Default for Ifs {
    fn default() -> Self {
        Ifs(DEFAULT_IFS.to_string())
    }
}

impl Ifs {
    /// The separators of a shell whose `IFS` is `value` (`None`: unset).
    pub(crate) fn new(value: Option<&str>) -> Self {
        value.map_or_else(Ifs::default, |v| Ifs(v.to_string()))
    }

    /// Whether `c` separates fields.
    pub(crate) fn is_sep(&self, c: char) -> bool {
        self.0.contains(c)
    }

    /// Whether `c` is IFS white space (absorbed around separators).
    pub(crate) fn is_white(&self, c: char) -> bool {
        matches!(c, ' ' | '\t' | '\n') && self.is_sep(c)
    }
}

impl Fields {
    /// Counts `n` more bytes; false (and nothing may be appended) past the
    /// bound.
    fn room(&mut self, n: usize) -> bool {
        if self.overflowed || self.len + n > MAX_VALUE {
            self.overflowed = true;
            return false;
        }
        self.len += n;
        true
    }

    /// `Out of space` once the expansion went over its bound.
    fn check(&self) -> Result<(), String> {
        if self.overflowed {
            Err(OUT_OF_SPACE.to_string())
        } else {
            Ok(())
        }
    }

    /// Appends text that never splits.
    fn quoted(&mut self, s: &str) {
        if !self.room(s.len()) {
            return;
        }
        if self.pattern {
            for c in s.chars() {
                if matches!(c, '*' | '?' | '[' | ']' | '\\' | '!' | '-') {
                    self.cur.push('\\');
                }
                self.cur.push(c);
            }
        } else {
            self.cur.push_str(s);
        }
        if self.split {
            for c in s.chars() {
                if matches!(c, '*' | '?' | '[' | ']' | '\\' | '!' | '-') {
                    self.cur_pattern.push('\\');
                }
                self.cur_pattern.push(c);
            }
        }
        self.valid = true;
        self.sep = false;
    }

    /// Appends text that splits on blanks when splitting is on.
    fn unquoted(&mut self, s: &str) {
        if !self.room(s.len()) {
            return;
        }
        if !self.split {
            self.cur.push_str(s);
            self.valid |= !s.is_empty();
            return;
        }
        for c in s.chars() {
            if self.ifs.is_white(c) {
                if self.valid {
                    self.brk();
                    self.sep = true;
                }
            } else if self.ifs.is_sep(c) {
                if self.valid || !self.sep {
                    self.push_field();
                }
                self.sep = false;
            } else {
                self.cur.push(c);
                self.cur_pattern.push(c);
                self.cur_wild |= matches!(c, '*' | '?' | '[');
                self.valid = true;
                self.sep = false;
            }
        }
    }

    /// Ends the current field, if there is one.
    fn brk(&mut self) {
        if self.valid {
            self.push_field();
        }
    }

    /// Ends the current field (even an empty one).
    fn push_field(&mut self) {
        self.done.push(std::mem::take(&mut self.cur));
        let pattern = std::mem::take(&mut self.cur_pattern);
        self.patterns
            .push(std::mem::take(&mut self.cur_wild).then_some(pattern));
        self.valid = false;
    }

    /// The fields.
    fn finish(mut self) -> Vec<String> {
        self.brk();
        self.done
    }

    /// The fields, each with its pathname pattern when it has an unquoted
    /// wildcard.
    fn finish_with_patterns(mut self) -> impl Iterator<Item = (String, Option<String>)> {
        self.brk();
        self.done.into_iter().zip(self.patterns)
    }
}

impl Shell {
    /// Reports an expansion error (`${V?msg}`, `${1=x}`): like busybox ash, the
    /// shell exits with status 2.
    pub(crate) fn expansion_failed(&self, msg: &str, origin: Origin, io: &mut Io<'_, '_>) -> Flow {
        io.err(format!("{}{msg}\n", self.prefix(origin)));
        Flow::Exit(2)
    }

    /// Expands command words into argv (declaration utilities such as
    /// `export` keep `NAME=value` operands unsplit).
    pub(crate) async fn expand_argv(
        &mut self,
        words: &[Word],
        io: &mut Io<'_, '_>,
    ) -> Result<Vec<String>, String> {
        let declaration = words.first().is_some_and(|w| {
            matches!(w.as_slice(), [Part::Lit(s)] if matches!(s.as_str(), "export" | "readonly" | "local"))
        });
        let mut argv = Vec::new();
        // The words together are bounded, like one word.
        let mut len = 0;
        for (i, word) in words.iter().enumerate() {
            if declaration && i > 0 {
                if let Some((name, value)) = as_assignment(word) {
                    let value = self.expand_string(&value, io).await?;
                    len += name.len() + 1 + value.len();
                    if len > MAX_VALUE {
                        return Err(OUT_OF_SPACE.to_string());
                    }
                    argv.push(format!("{name}={value}"));
                    continue;
                }
            }
            let mut fields = Fields {
                split: true,
                ifs: Ifs::new(self.get("IFS")),
                len,
                ..Fields::default()
            };
            self.expand_parts(word, false, &mut fields, io).await?;
            fields.check()?;
            len = fields.len;
            for (field, pattern) in fields.finish_with_patterns() {
                let matched = match (&pattern, &self.files) {
                    (Some(p), Some(files)) => pathname::expand(files, &self.cwd, p),
                    _ => Vec::new(),
                };
                if matched.is_empty() {
                    argv.push(field);
                } else {
                    len += matched.iter().map(|m| m.len() + 1).sum::<usize>();
                    if len > MAX_VALUE {
                        return Err(OUT_OF_SPACE.to_string());
                    }
                    argv.extend(matched);
                }
            }
        }
        Ok(argv)
    }

    /// Expands a word to one string, without field splitting.
    pub(crate) async fn expand_string(
        &mut self,
        word: &Word,
        io: &mut Io<'_, '_>,
    ) -> Result<String, String> {
        let mut fields = Fields::default();
        self.expand_parts(word, false, &mut fields, io).await?;
        fields.check()?;
        Ok(fields.finish().join(" "))
    }

    /// Expands a `case` pattern: like [`Shell::expand_string`], but quoted
    /// text is escaped so that it matches only itself.
    pub(crate) async fn expand_pattern(
        &mut self,
        word: &Word,
        io: &mut Io<'_, '_>,
    ) -> Result<String, String> {
        let mut fields = Fields {
            pattern: true,
            ..Fields::default()
        };
        self.expand_parts(word, false, &mut fields, io).await?;
        fields.check()?;
        Ok(fields.finish().join(" "))
    }

    /// Expands parts into the fields; `in_quotes` when inside `"…"`.
    fn expand_parts<'s>(
        &'s mut self,
        parts: &'s [Part],
        in_quotes: bool,
        acc: &'s mut Fields,
        io: &'s mut Io<'_, '_>,
    ) -> BoxFut<'s, Result<(), String>> {
        Box::pin(async move {
            for part in parts {
                acc.check()?;
                match part {
                    Part::Lit(s) if in_quotes => acc.quoted(s),
                    Part::Lit(s) => acc.unquoted(s),
                    Part::Quoted(s) => acc.quoted(s),
                    Part::Tilde => {
                        let home = self.get("HOME").unwrap_or("~").to_string();
                        acc.quoted(&home);
                    }
                    Part::Subst { script, quoted } => {
                        let text = self.command_subst(script, io).await?;
                        if *quoted || in_quotes {
                            acc.quoted(&text);
                        } else {
                            acc.unquoted(&text);
                        }
                    }
                    Part::Param { name, op, quoted } => {
                        let quoted = *quoted || in_quotes;
                        self.expand_param(name, op, quoted, acc, io).await?;
                    }
                    Part::Arith { expr, quoted } => {
                        let text = self.expand_string(expr, io).await?;
                        let value = eval_arith(&text, self)?.to_string();
                        if *quoted || in_quotes {
                            acc.quoted(&value);
                        } else {
                            acc.unquoted(&value);
                        }
                    }
                }
            }
            Ok(())
        })
    }

    /// Expands one parameter into the fields.
    async fn expand_param(
        &mut self,
        name: &str,
        op: &ParamOp,
        quoted: bool,
        acc: &mut Fields,
        io: &mut Io<'_, '_>,
    ) -> Result<(), String> {
        let push = |acc: &mut Fields, s: &str| {
            if quoted {
                acc.quoted(s);
            } else {
                acc.unquoted(s);
            }
        };
        if self.nounset && !matches!(op, ParamOp::With { .. }) && self.param(name).is_none() {
            let special = matches!(name, "@" | "*" | "#" | "?" | "-" | "$" | "!" | "0");
            if !special {
                return Err(format!("{name}: parameter not set"));
            }
        }
        match op {
            ParamOp::Plain if name == "@" => {
                for (i, p) in self.params.iter().enumerate() {
                    if i > 0 {
                        acc.brk();
                    }
                    push(acc, p);
                }
            }
            ParamOp::Plain => push(acc, &self.param(name).unwrap_or_default()),
            ParamOp::Length => {
                let len = self.param(name).unwrap_or_default().chars().count();
                push(acc, &len.to_string());
            }
            ParamOp::Trim {
                suffix,
                longest,
                word,
            } => {
                let value = self.param(name).unwrap_or_default();
                let pattern = self.expand_pattern(word, io).await?;
                push(acc, &trim(&value, &pattern, *suffix, *longest)?);
            }
            ParamOp::With { kind, colon, word } => {
                let value = self.param(name);
                let unset = match &value {
                    None => true,
                    Some(v) => *colon && v.is_empty(),
                };
                match kind {
                    OpKind::Default if unset => {
                        self.expand_parts(word, quoted, acc, io).await?;
                    }
                    OpKind::Assign if unset => {
                        let v = self.expand_string(word, io).await?;
                        if !is_name(name) {
                            return Err(format!("{name}: bad variable name"));
                        }
                        self.set_var(name, &v, false)?;
                        push(acc, &v);
                    }
                    OpKind::Alt if !unset => {
                        self.expand_parts(word, quoted, acc, io).await?;
                    }
                    OpKind::Alt => {}
                    OpKind::Error if unset => {
                        let msg = self.expand_string(word, io).await?;
                        let msg = if msg.is_empty() && *colon {
                            "parameter not set or null".to_string()
                        } else if msg.is_empty() {
                            "parameter not set".to_string()
                        } else {
                            msg
                        };
                        return Err(format!("{name}: {msg}"));
                    }
                    OpKind::Default | OpKind::Assign | OpKind::Error => {
                        push(acc, &value.unwrap_or_default());
                    }
                }
            }
        }
        Ok(())
    }

    /// Runs a command substitution in a subshell; its output without
    /// trailing newlines. Sets `$?`. `Out of space` when the output is over
    /// [`MAX_VALUE`]; `Cannot fork` when shells nest too deep.
    async fn command_subst(
        &mut self,
        script: &Script,
        io: &mut Io<'_, '_>,
    ) -> Result<String, String> {
        let mut sub = self.subshell()?;
        let out = io.sinks.push_capture();
        let fds = Fds {
            out,
            err: io.fds.err,
        };
        let flow = sub.exec_script(script, &mut io.with_fds(fds)).await;
        let caught = io.sinks.pop_capture();
        self.subst_status = Some(flow.status());
        self.status = flow.status();
        if caught.overflowed {
            return Err(OUT_OF_SPACE.to_string());
        }
        let mut text = String::from_utf8_lossy(&caught.data).into_owned();
        while text.ends_with('\n') {
            text.pop();
        }
        Ok(text)
    }
}

/// `${V#p}` and friends: `value` without the shortest (or longest) prefix
/// (or suffix) matching `pattern`. Matching every prefix is costly, so past
/// [`MAX_TRIM`] a wildcard pattern is `Out of space`.
fn trim(value: &str, pattern: &str, suffix: bool, longest: bool) -> Result<String, String> {
    if !pattern.contains(['*', '?', '[', '\\']) {
        let cut = if suffix {
            value.strip_suffix(pattern)
        } else {
            value.strip_prefix(pattern)
        };
        return Ok(cut.unwrap_or(value).to_string());
    }
    let work = value
        .len()
        .saturating_mul(value.len())
        .saturating_mul(pattern.len() + 1);
    if work > MAX_TRIM {
        return Err(OUT_OF_SPACE.to_string());
    }
    let mut cuts: Vec<usize> = value.char_indices().map(|(i, _)| i).collect();
    cuts.push(value.len());
    // Candidates from the shortest match to the longest.
    if suffix {
        cuts.reverse();
    }
    if longest {
        cuts.reverse();
    }
    for i in cuts {
        let (head, tail) = value.split_at(i);
        if suffix && glob_match(pattern, tail) {
            return Ok(head.to_string());
        }
        if !suffix && glob_match(pattern, head) {
            return Ok(tail.to_string());
        }
    }
    Ok(value.to_string())
}

impl ArithVars for Shell {
    fn get_var(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_string)
    }

    fn set_var_num(&mut self, name: &str, value: i64) -> Result<(), String> {
        self.set_var(name, &value.to_string(), false)
    }
}

#[cfg(test)]
mod tests {
    use crate::interp::testkit::*;

    #[tokio::test(start_paused = true)]
    async fn expansions() {
        check(vec![
            // variables
            script("echo $HOME", "/root\n", "", 0),
            script("echo ${X:-d} ${HOME:-d}", "d /root\n", "", 0),
            script("X=; echo [${X-unset}] [${X:-empty}]", "[] [empty]\n", "", 0),
            script("echo ${Y:=set}; echo $Y", "set\nset\n", "", 0),
            script("A=1; echo ${A:+alt}${B:+no}", "alt\n", "", 0),
            script("echo ${#HOME}", "5\n", "", 0),
            script(
                "echo ${NOPE:?gone}; echo after",
                "",
                "sh: NOPE: gone\n",
                2,
            ),
            script("echo ${NOPE?}", "", "sh: NOPE: parameter not set\n", 2),
            script(
                "X=; echo ${X:?}",
                "",
                "sh: X: parameter not set or null\n",
                2,
            ),
            script("echo ${1=x}", "", "sh: 1: bad variable name\n", 2),
            script("false; echo $?", "1\n", "", 0),
            script("echo $$", "1\n", "", 0),
            script("echo $UNSET_VAR.", ".\n", "", 0),
            script("X=5 && echo $X", "5\n", "", 0),
            script("export FOO=bar; env | grep FOO", "FOO=bar\n", "", 0),
            script("echo $GREETING", "hello world\n", "", 0),
            script("echo \"$GREETING\"", "hello   world\n", "", 0),
            script(
                "set -- a 'b c'; echo $#; printf '<%s>' \"$@\"",
                "2\n<a><b c>",
                "",
                0,
            ),
            script("echo ~ ~/x", "/root /root/x\n", "", 0),
            // command substitution
            script("echo \"[$(hostname)]\" `whoami`", "[abc123] root\n", "", 0),
            script("X=$(exit 7); echo $?", "7\n", "", 0),
            // more expansions
            script(
                "echo $(echo \")\") \"$(echo $(echo nested))\"",
                ") nested\n",
                "",
                0,
            ),
            script(
                "set -- 1 2 3 4 5 6 7 8 9 ten; echo ${10} $9",
                "ten 9\n",
                "",
                0,
            ),
            // pattern removal
            script(
                "v=/a/b/c.tar.gz; echo ${v#*/} ${v##*/} ${v%.*} ${v%%.*} ${v#/a} ${v%\"gz\"} ${v#x} ${u#x}. ${v%%} ${#v}",
                "a/b/c.tar.gz c.tar.gz /a/b/c.tar /a/b/c /b/c.tar.gz /a/b/c.tar. /a/b/c.tar.gz . /a/b/c.tar.gz 13\n",
                "",
                0,
            ),
            script(
                "v=/a/b/c.tar.gz; p='*.'; echo ${v#$p} ${v#\"$p\"} \"${v##*/}\"",
                "tar.gz /a/b/c.tar.gz c.tar.gz\n",
                "",
                0,
            ),
            // ...bounded: every prefix of a long value is not tried.
            script(
                "v=$(seq 1 5000); echo ${v##*x}",
                "",
                "sh: Out of space\n",
                2,
            ),
            // arithmetic
            script("x=4; echo $((x*2+1)) \"$((x+=1))\" $x", "9 5 5\n", "", 0),
            script(
                "echo $((1+)); echo never",
                "",
                "sh: arithmetic syntax error\n",
                2,
            ),
            script("echo $((1/0))", "", "sh: divide by zero\n", 2),
            script(
                "echo ${X:-$HOME} ${X:-a   b} \"${X:-a   b}\"",
                "/root a b a   b\n",
                "",
                0,
            ),
        ])
        .await;
    }
}
