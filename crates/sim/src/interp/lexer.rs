//! The lexer: script text to tokens ([`Tok`]) and words ([`Word`]).
//!
//! It knows no grammar, except that `$(…)` and backquotes hold whole
//! scripts: for those it calls the parser it was given ([`NestedParser`]),
//! so this module does not depend on the parser.

use super::ast::{OpKind, PResult, ParamOp, ParseError, Part, RedirOp, Script, Word};
use super::limits::MAX_DEPTH;

/// Parses a script from the lexer's position: through the closing `)` when
/// the flag is set (a `$(…)` body), else to the end of the text.
pub(crate) type NestedParser = fn(&mut Lexer, bool) -> PResult<Script>;

/// A token.
#[derive(Debug, Clone)]
pub(crate) enum Tok {
    Word(Word),
    IoNumber(u32),
    Op(Op),
    Newline,
    Eof,
}

/// An operator token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Semi,
    DSemi,
    Amp,
    AndIf,
    OrIf,
    Pipe,
    LParen,
    RParen,
    Redir(RedirOp),
    /// `<<`, or `<<-` (strip leading tabs) when set.
    HereDoc(bool),
}

impl Op {
    /// The operator as written.
    pub(crate) fn text(self) -> &'static str {
        match self {
            Op::Semi => ";",
            Op::DSemi => ";;",
            Op::Amp => "&",
            Op::AndIf => "&&",
            Op::OrIf => "||",
            Op::Pipe => "|",
            Op::LParen => "(",
            Op::RParen => ")",
            Op::Redir(RedirOp::Out) => ">",
            Op::Redir(RedirOp::Append) => ">>",
            Op::Redir(RedirOp::DupOut) => ">&",
            Op::Redir(RedirOp::In) => "<",
            Op::Redir(RedirOp::DupIn) => "<&",
            Op::Redir(RedirOp::ReadWrite) => "<>",
            Op::Redir(RedirOp::All) => "&>",
            Op::Redir(RedirOp::HereDoc) | Op::HereDoc(false) => "<<",
            Op::HereDoc(true) => "<<-",
        }
    }
}

/// Whether `c` ends an unquoted word.
fn is_meta(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')'
    )
}

/// The lexer's state: the text, a position in it and the current line.
pub(crate) struct Lexer {
    src: Vec<char>,
    pos: usize,
    line: usize,
    nested: NestedParser,
    /// How many `$(…)`, backquotes, `${…}` and compound commands enclose
    /// the position.
    depth: usize,
    /// Lines of here-document bodies cut out of the text, to count when
    /// the newline at that position is passed: (position, lines).
    skipped: Vec<(usize, usize)>,
    /// A here-document without its delimiter is an incomplete script (more
    /// input may end it) rather than a body running to the end.
    pub(crate) partial: bool,
}

impl Lexer {
    /// A lexer over `text`, whose first line is numbered `first_line`;
    /// `nested` parses the scripts of command substitutions.
    pub(crate) fn new(text: &str, first_line: usize, nested: NestedParser) -> Self {
        Lexer {
            src: text.chars().collect(),
            pos: 0,
            line: first_line,
            nested,
            depth: 0,
            skipped: Vec::new(),
            partial: false,
        }
    }

    /// Goes one nesting level deeper; a syntax error past [`MAX_DEPTH`]
    /// (deep nesting would exhaust the stack of the recursive parser).
    pub(crate) fn enter(&mut self) -> PResult<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error("nesting too deep", false));
        }
        self.depth += 1;
        Ok(())
    }

    /// Leaves a level entered with [`Lexer::enter`].
    pub(crate) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Reads the body of a here-document whose operator and delimiter were
    /// just lexed: the lines after the end of the current line, up to a
    /// line holding only the delimiter. The body is cut out of the text, so
    /// that the next here-document of the line starts where it ended.
    /// `strip` (`<<-`) removes leading tabs; `expand` (unquoted delimiter)
    /// makes `$`, `` ` `` and `\` special in the body.
    pub(crate) fn read_heredoc(&mut self, delim: &str, strip: bool, expand: bool) -> PResult<Word> {
        let line = self.line;
        let Some(nl) = self.src[self.pos..].iter().position(|&c| c == '\n') else {
            if self.partial {
                return Err(self.error("unexpected end of file", true));
            }
            return Ok(vec![Part::Quoted(String::new())]);
        };
        let start = self.pos + nl + 1;
        let mut i = start;
        let mut body = String::new();
        let mut lines = 0;
        let mut terminated = false;
        while i < self.src.len() {
            let end = self.src[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(self.src.len(), |n| i + n);
            let mut text: String = self.src[i..end].iter().collect();
            lines += usize::from(end < self.src.len());
            i = (end + 1).min(self.src.len());
            if strip {
                text = text.trim_start_matches('\t').to_string();
            }
            if text.strip_suffix('\r').unwrap_or(&text) == delim {
                terminated = true;
                break;
            }
            body.push_str(&text);
            if end < self.src.len() {
                body.push('\n');
            }
        }
        if !terminated && self.partial {
            return Err(self.error("unexpected end of file", true));
        }
        self.src.drain(start..i);
        match self.skipped.iter_mut().find(|(p, _)| *p == start - 1) {
            Some((_, n)) => *n += lines,
            None => self.skipped.push((start - 1, lines)),
        }
        if !expand {
            return Ok(vec![Part::Quoted(body)]);
        }
        let mut inner = Lexer::new(&body, line + 1, self.nested);
        inner.depth = self.depth;
        let mut parts = Vec::new();
        inner.lex_dquote_body(&mut parts, true)?;
        if parts.is_empty() {
            parts.push(Part::Quoted(String::new()));
        }
        Ok(parts)
    }

    /// Counts the lines of here-document bodies cut after the newline at
    /// the position.
    fn newline_at(&mut self, pos: usize) {
        self.line += 1;
        if let Some(i) = self.skipped.iter().position(|(p, _)| *p == pos) {
            self.line += self.skipped.swap_remove(i).1;
        }
    }

    /// The current line.
    pub(crate) fn line(&self) -> usize {
        self.line
    }

    /// A syntax error on the current line.
    pub(crate) fn error(&self, message: impl Into<String>, incomplete: bool) -> ParseError {
        ParseError {
            message: message.into(),
            line: self.line,
            incomplete,
        }
    }

    fn cur(&self) -> Option<char> {
        self.src.get(self.pos).copied()
    }

    fn at(&self, off: usize) -> Option<char> {
        self.src.get(self.pos + off).copied()
    }

    /// The next token and the line it starts on. Skips blanks, comments and
    /// backslash-newlines.
    pub(crate) fn lex(&mut self) -> PResult<(Tok, usize)> {
        loop {
            match self.cur() {
                Some(' ' | '\t' | '\r') => self.pos += 1,
                Some('\\') if self.at(1) == Some('\n') => {
                    self.pos += 2;
                    self.line += 1;
                }
                Some('#') => {
                    while let Some(c) = self.cur() {
                        if c == '\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
        let line = self.line;
        let Some(c) = self.cur() else {
            return Ok((Tok::Eof, line));
        };
        let next = self.at(1);
        let (op, len) = match c {
            '\n' => {
                self.newline_at(self.pos);
                self.pos += 1;
                return Ok((Tok::Newline, line));
            }
            ';' if next == Some(';') => (Op::DSemi, 2),
            ';' => (Op::Semi, 1),
            '&' if next == Some('&') => (Op::AndIf, 2),
            '&' if next == Some('>') && self.at(2) == Some('>') => (Op::Redir(RedirOp::All), 3),
            '&' if next == Some('>') => (Op::Redir(RedirOp::All), 2),
            '&' => (Op::Amp, 1),
            '|' if next == Some('|') => (Op::OrIf, 2),
            '|' => (Op::Pipe, 1),
            '<' if next == Some('<') && self.at(2) == Some('-') => (Op::HereDoc(true), 3),
            '<' if next == Some('<') => (Op::HereDoc(false), 2),
            '<' if next == Some('&') => (Op::Redir(RedirOp::DupIn), 2),
            '<' if next == Some('>') => (Op::Redir(RedirOp::ReadWrite), 2),
            '<' => (Op::Redir(RedirOp::In), 1),
            '>' if next == Some('>') => (Op::Redir(RedirOp::Append), 2),
            '>' if next == Some('&') => (Op::Redir(RedirOp::DupOut), 2),
            '>' if next == Some('|') => (Op::Redir(RedirOp::Out), 2),
            '>' => (Op::Redir(RedirOp::Out), 1),
            '(' => (Op::LParen, 1),
            ')' => (Op::RParen, 1),
            _ => {
                let mut j = self.pos;
                while self.src.get(j).is_some_and(char::is_ascii_digit) {
                    j += 1;
                }
                if j > self.pos && matches!(self.src.get(j), Some('<' | '>')) {
                    let digits: String = self.src[self.pos..j].iter().collect();
                    if let Ok(n) = digits.parse() {
                        self.pos = j;
                        return Ok((Tok::IoNumber(n), line));
                    }
                }
                let word = self.lex_word(false)?;
                return Ok((Tok::Word(word), line));
            }
        };
        self.pos += len;
        Ok((Tok::Op(op), line))
    }

    /// Lexes one word; in brace mode (a `${…}` operand) it stops at `}`
    /// instead of at metacharacters.
    fn lex_word(&mut self, in_brace: bool) -> PResult<Word> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        if !in_brace && self.cur() == Some('~') && self.at(1).is_none_or(|c| c == '/' || is_meta(c))
        {
            self.pos += 1;
            parts.push(Part::Tilde);
        }
        while let Some(c) = self.cur() {
            if in_brace {
                if c == '}' {
                    break;
                }
            } else if is_meta(c) {
                break;
            }
            match c {
                '\\' => {
                    self.pos += 1;
                    match self.cur() {
                        None => lit.push('\\'),
                        Some('\n') => {
                            self.pos += 1;
                            self.line += 1;
                        }
                        Some(x) => {
                            flush(&mut lit, &mut parts);
                            parts.push(Part::Quoted(x.to_string()));
                            self.pos += 1;
                        }
                    }
                }
                '\'' => {
                    flush(&mut lit, &mut parts);
                    self.pos += 1;
                    let mut s = String::new();
                    loop {
                        match self.cur() {
                            None => return Err(self.error("unterminated quoted string", true)),
                            Some('\'') => {
                                self.pos += 1;
                                break;
                            }
                            Some(ch) => {
                                if ch == '\n' {
                                    self.line += 1;
                                }
                                s.push(ch);
                                self.pos += 1;
                            }
                        }
                    }
                    parts.push(Part::Quoted(s));
                }
                '"' => {
                    flush(&mut lit, &mut parts);
                    self.pos += 1;
                    self.lex_dquote(&mut parts)?;
                }
                '$' => {
                    flush(&mut lit, &mut parts);
                    self.lex_dollar(&mut parts, false)?;
                }
                '`' => {
                    flush(&mut lit, &mut parts);
                    self.lex_backquote(&mut parts, false)?;
                }
                _ => {
                    if c == '\n' {
                        self.line += 1;
                    }
                    lit.push(c);
                    self.pos += 1;
                }
            }
        }
        flush(&mut lit, &mut parts);
        Ok(parts)
    }

    fn lex_dquote(&mut self, parts: &mut Vec<Part>) -> PResult<()> {
        let before = parts.len();
        self.lex_dquote_body(parts, false)?;
        if parts.len() == before {
            parts.push(Part::Quoted(String::new()));
        }
        Ok(())
    }

    /// The inside of `"…"` through the closing quote, or a here-document's
    /// body to the end of the text (`heredoc`: `"` is an ordinary character).
    fn lex_dquote_body(&mut self, parts: &mut Vec<Part>, heredoc: bool) -> PResult<()> {
        let mut buf = String::new();
        loop {
            match self.cur() {
                None if heredoc => break,
                None => return Err(self.error("unterminated quoted string", true)),
                Some('"') if !heredoc => {
                    self.pos += 1;
                    break;
                }
                Some('\\') => {
                    match self.at(1) {
                        Some('\n') => self.line += 1,
                        Some(x @ ('$' | '`' | '\\')) => buf.push(x),
                        Some('"') if !heredoc => buf.push('"'),
                        Some(x) => {
                            buf.push('\\');
                            buf.push(x);
                        }
                        None if heredoc => {
                            buf.push('\\');
                            self.pos += 1;
                            continue;
                        }
                        None => return Err(self.error("unterminated quoted string", true)),
                    }
                    self.pos += 2;
                }
                Some('$') => {
                    if !buf.is_empty() {
                        parts.push(Part::Quoted(std::mem::take(&mut buf)));
                    }
                    self.lex_dollar(parts, true)?;
                }
                Some('`') => {
                    if !buf.is_empty() {
                        parts.push(Part::Quoted(std::mem::take(&mut buf)));
                    }
                    self.lex_backquote(parts, true)?;
                }
                Some(ch) => {
                    if ch == '\n' {
                        self.line += 1;
                    }
                    buf.push(ch);
                    self.pos += 1;
                }
            }
        }
        if !buf.is_empty() {
            parts.push(Part::Quoted(buf));
        }
        Ok(())
    }

    /// Lexes an expansion starting at `$`.
    fn lex_dollar(&mut self, parts: &mut Vec<Part>, quoted: bool) -> PResult<()> {
        let literal_dollar = |parts: &mut Vec<Part>| {
            parts.push(if quoted {
                Part::Quoted("$".into())
            } else {
                Part::Lit("$".into())
            })
        };
        match self.at(1) {
            Some('{') => {
                self.pos += 2;
                self.lex_brace_param(parts, quoted)
            }
            Some('(') if self.at(2) == Some('(') => {
                self.pos += 3;
                self.enter()?;
                let expr = self.lex_arith()?;
                self.leave();
                parts.push(Part::Arith { expr, quoted });
                Ok(())
            }
            Some('(') => {
                self.pos += 2;
                self.enter()?;
                let script = (self.nested)(self, true)?;
                self.depth -= 1;
                parts.push(Part::Subst { script, quoted });
                Ok(())
            }
            Some(c @ ('?' | '$' | '#' | '@' | '*' | '!' | '-' | '0'..='9')) => {
                self.pos += 2;
                parts.push(Part::Param {
                    name: c.to_string(),
                    op: ParamOp::Plain,
                    quoted,
                });
                Ok(())
            }
            Some(c) if c == '_' || c.is_ascii_alphabetic() => {
                self.pos += 1;
                let name = self.lex_name();
                parts.push(Part::Param {
                    name,
                    op: ParamOp::Plain,
                    quoted,
                });
                Ok(())
            }
            _ => {
                self.pos += 1;
                literal_dollar(parts);
                Ok(())
            }
        }
    }

    /// The expression of `$((…))` after the `$((`, through the closing
    /// `))`: parameters and command substitutions expand, the rest is text.
    fn lex_arith(&mut self) -> PResult<Word> {
        let mut parts = Vec::new();
        let mut buf = String::new();
        let mut parens = 0usize;
        loop {
            match self.cur() {
                None => return Err(self.error("missing '))'", true)),
                Some(')') if parens == 0 => {
                    if self.at(1) != Some(')') {
                        return Err(self.error("missing '))'", false));
                    }
                    self.pos += 2;
                    break;
                }
                Some(c @ ('(' | ')')) => {
                    if c == '(' {
                        parens += 1;
                    } else {
                        parens -= 1;
                    }
                    buf.push(c);
                    self.pos += 1;
                }
                Some(c @ ('$' | '`')) => {
                    if !buf.is_empty() {
                        parts.push(Part::Quoted(std::mem::take(&mut buf)));
                    }
                    if c == '$' {
                        self.lex_dollar(&mut parts, true)?;
                    } else {
                        self.lex_backquote(&mut parts, true)?;
                    }
                }
                Some(c) => {
                    if c == '\n' {
                        self.line += 1;
                    }
                    buf.push(c);
                    self.pos += 1;
                }
            }
        }
        if !buf.is_empty() {
            parts.push(Part::Quoted(buf));
        }
        Ok(parts)
    }

    fn lex_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.cur() {
            if c == '_' || c.is_ascii_alphanumeric() {
                name.push(c);
                self.pos += 1;
            } else {
                break;
            }
        }
        name
    }

    /// Lexes `${…}` after the `${`.
    fn lex_brace_param(&mut self, parts: &mut Vec<Part>, quoted: bool) -> PResult<()> {
        let bad = |p: &Self| p.error("bad substitution", false);
        let mut length = false;
        if self.cur() == Some('#') && self.at(1).is_some_and(|c| c != '}') {
            length = true;
            self.pos += 1;
        }
        let name = match self.cur() {
            Some(c) if c == '_' || c.is_ascii_alphabetic() => self.lex_name(),
            Some(c) if c.is_ascii_digit() => {
                let mut n = String::new();
                while let Some(d) = self.cur().filter(char::is_ascii_digit) {
                    n.push(d);
                    self.pos += 1;
                }
                n
            }
            Some(c @ ('?' | '$' | '#' | '@' | '*' | '!' | '-')) => {
                self.pos += 1;
                c.to_string()
            }
            None => return Err(self.error("missing '}'", true)),
            Some(_) => return Err(bad(self)),
        };
        if self.cur() == Some('}') {
            self.pos += 1;
            let op = if length {
                ParamOp::Length
            } else {
                ParamOp::Plain
            };
            parts.push(Part::Param { name, op, quoted });
            return Ok(());
        }
        if length {
            return Err(bad(self));
        }
        if let Some(c @ ('#' | '%')) = self.cur() {
            self.pos += 1;
            let longest = self.cur() == Some(c);
            if longest {
                self.pos += 1;
            }
            let word = self.lex_brace_word()?;
            parts.push(Part::Param {
                name,
                op: ParamOp::Trim {
                    suffix: c == '%',
                    longest,
                    word,
                },
                quoted,
            });
            return Ok(());
        }
        let colon = self.cur() == Some(':');
        if colon {
            self.pos += 1;
        }
        let kind = match self.cur() {
            Some('-') => OpKind::Default,
            Some('=') => OpKind::Assign,
            Some('+') => OpKind::Alt,
            Some('?') => OpKind::Error,
            None => return Err(self.error("missing '}'", true)),
            Some(_) => return Err(bad(self)),
        };
        self.pos += 1;
        let word = self.lex_brace_word()?;
        parts.push(Part::Param {
            name,
            op: ParamOp::With { kind, colon, word },
            quoted,
        });
        Ok(())
    }

    /// The operand of `${V…word}` through the closing `}`.
    fn lex_brace_word(&mut self) -> PResult<Word> {
        self.enter()?;
        let word = self.lex_word(true)?;
        self.depth -= 1;
        if self.cur() != Some('}') {
            return Err(self.error("missing '}'", true));
        }
        self.pos += 1;
        Ok(word)
    }

    fn lex_backquote(&mut self, parts: &mut Vec<Part>, quoted: bool) -> PResult<()> {
        self.pos += 1;
        let line = self.line;
        let mut text = String::new();
        loop {
            match self.cur() {
                None => return Err(self.error("unterminated backquote", true)),
                Some('`') => {
                    self.pos += 1;
                    break;
                }
                Some('\\') if matches!(self.at(1), Some('`' | '$' | '\\')) => {
                    if let Some(c) = self.at(1) {
                        text.push(c);
                    }
                    self.pos += 2;
                }
                Some(c) => {
                    if c == '\n' {
                        self.line += 1;
                    }
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
        let mut inner = Lexer::new(&text, line, self.nested);
        inner.depth = self.depth;
        inner.enter()?;
        let script = (self.nested)(&mut inner, false).map_err(|mut e| {
            e.incomplete = false;
            e
        })?;
        parts.push(Part::Subst { script, quoted });
        Ok(())
    }
}

/// Moves pending literal text into the word.
fn flush(lit: &mut String, parts: &mut Vec<Part>) {
    if !lit.is_empty() {
        parts.push(Part::Lit(std::mem::take(lit)));
    }
}

#[cfg(test)]
mod tests {
    use crate::interp::testkit::*;

    #[tokio::test(start_paused = true)]
    async fn quoting_and_comments() {
        check(vec![
            // quoting
            script("echo 'a  b' \"c  d\" e\\ \\ f", "a  b c  d e  f\n", "", 0),
            script(
                "echo 'it'\\''s' \"q\\\"q\" '$HOME'",
                "it's q\"q $HOME\n",
                "",
                0,
            ),
            script("echo a#b # a comment", "a#b\n", "", 0),
            script("echo \"\" | cat; echo ''x", "\nx\n", "", 0),
            // line endings, comments, backquotes, continuations
            script("echo a\r\necho b\r\n", "a\nb\n", "", 0),
            script("  # only a comment\n\n", "", "", 0),
            script("echo `echo \\`echo inner\\``", "inner\n", "", 0),
            script("A=a\\\nb; echo $A", "ab\n", "", 0),
        ])
        .await;
    }
}
