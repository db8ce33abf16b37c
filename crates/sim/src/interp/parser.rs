//! The parser: tokens to a [`Script`], by recursive descent over the POSIX
//! grammar: lists, and-or lists, pipelines, simple commands, compound
//! commands (`{ }`, `( )`, `if`, `for`, `while`, `until`, `case`), function
//! definitions and here-documents. Syntax errors are worded as busybox `sh`
//! words them (`unexpected "fi" (expecting "then")`).
//!
//! The hand-written parser was kept (rather than a grammar crate such as
//! `brush-parser`): words, expansions, line numbers and the nesting bound
//! are already the lexer's, and the error wording must be busybox's.

use std::sync::Arc;

use super::ast::{
    as_assignment, is_name, literal, AndOr, CaseArm, Command, Compound, Connector, FuncBody, Item,
    PResult, ParseError, Part, Pipeline, Redir, RedirOp, Script, Simple, Word,
};
use super::lexer::{Lexer, Op, Tok};

/// Reserved words: they open or close compound commands at the start of a
/// command.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "{",
    "}", "!", "in",
];

/// Reserved words that close a compound command's part: they end every
/// list (the enclosing command then tells whether it expected that one).
const CLOSERS: &[&str] = &["then", "else", "elif", "fi", "do", "done", "esac", "}"];

/// What ends a list besides the end of the text and [`CLOSERS`]: `)` in
/// subshells and substitutions, `;;` in a `case`.
#[derive(Clone, Copy, Default)]
struct Ends {
    rparen: bool,
    dsemi: bool,
}

impl Ends {
    const TOP: Ends = Ends {
        rparen: false,
        dsemi: false,
    };
    const RPAREN: Ends = Ends {
        rparen: true,
        dsemi: false,
    };
    const DSEMI: Ends = Ends {
        rparen: false,
        dsemi: true,
    };
}

/// A recursive-descent parser over a [`Lexer`], with one token of lookahead.
struct Parser<'l> {
    lexer: &'l mut Lexer,
    peeked: Option<(Tok, usize)>,
}

/// Parses a whole script whose first line is numbered `first_line`.
pub(crate) fn parse(text: &str, first_line: usize) -> PResult<Script> {
    let mut lexer = Lexer::new(text, first_line, parse_nested);
    parse_nested(&mut lexer, false)
}

/// Parses the start of a script that more text may follow (a script read
/// from stdin): a here-document without its delimiter line is incomplete.
pub(crate) fn parse_partial(text: &str, first_line: usize) -> PResult<Script> {
    let mut lexer = Lexer::new(text, first_line, parse_nested);
    lexer.partial = true;
    parse_nested(&mut lexer, false)
}

/// The parser the lexer calls for command substitutions (see
/// [`NestedParser`](super::lexer::NestedParser)).
fn parse_nested(lexer: &mut Lexer, until_rparen: bool) -> PResult<Script> {
    let mut parser = Parser {
        lexer,
        peeked: None,
    };
    if !until_rparen {
        let script = parser.parse_list(Ends::TOP, false)?;
        return match parser.peek()? {
            Tok::Eof => Ok(script),
            other => Err(parser.unexpected(&other, None)),
        };
    }
    let script = parser.parse_list(Ends::RPAREN, false)?;
    parser.expect_op(Op::RParen)?;
    Ok(script)
}

/// The text of a single unquoted literal word (a reserved word, a name).
fn bare(tok: &Tok) -> Option<&str> {
    match tok {
        Tok::Word(w) => match w.as_slice() {
            [Part::Lit(s)] => Some(s),
            _ => None,
        },
        _ => None,
    }
}

impl Parser<'_> {
    fn error(&self, message: impl Into<String>, incomplete: bool) -> ParseError {
        self.lexer.error(message, incomplete)
    }

    fn fill(&mut self) -> PResult<()> {
        if self.peeked.is_none() {
            let tok = self.lexer.lex()?;
            self.peeked = Some(tok);
        }
        Ok(())
    }

    fn peek(&mut self) -> PResult<Tok> {
        self.fill()?;
        Ok(self.peeked.as_ref().map_or(Tok::Eof, |t| t.0.clone()))
    }

    fn peek_line(&mut self) -> PResult<usize> {
        self.fill()?;
        Ok(self.peeked.as_ref().map_or(self.lexer.line(), |t| t.1))
    }

    fn bump(&mut self) -> PResult<Tok> {
        self.fill()?;
        Ok(self.peeked.take().map_or(Tok::Eof, |t| t.0))
    }

    /// busybox's words for a token it did not expect.
    fn unexpected(&self, tok: &Tok, expecting: Option<&str>) -> ParseError {
        let what = match tok {
            Tok::Eof => "end of file".to_string(),
            Tok::Newline => "newline".to_string(),
            Tok::Op(op) => format!("\"{}\"", op.text()),
            Tok::IoNumber(n) => format!("\"{n}\""),
            Tok::Word(_) => match bare(tok) {
                Some(s) if RESERVED.contains(&s) => format!("\"{s}\""),
                _ => "word".to_string(),
            },
        };
        let mut message = format!("unexpected {what}");
        if let Some(e) = expecting {
            message.push_str(&format!(" (expecting \"{e}\")"));
        }
        self.error(message, matches!(tok, Tok::Eof))
    }

    fn skip_newlines(&mut self) -> PResult<()> {
        while matches!(self.peek()?, Tok::Newline) {
            self.bump()?;
        }
        Ok(())
    }

    /// Whether the token ends a list with these ends.
    fn is_end(tok: &Tok, ends: Ends) -> bool {
        match tok {
            Tok::Op(Op::RParen) => ends.rparen,
            Tok::Op(Op::DSemi) => ends.dsemi,
            _ => bare(tok).is_some_and(|s| CLOSERS.contains(&s)),
        }
    }

    /// Consumes the reserved word `word`, or fails expecting it.
    fn expect_word(&mut self, word: &str) -> PResult<()> {
        self.skip_newlines()?;
        let tok = self.peek()?;
        if bare(&tok) == Some(word) {
            self.bump()?;
            return Ok(());
        }
        Err(self.unexpected(&tok, Some(word)))
    }

    fn expect_op(&mut self, op: Op) -> PResult<()> {
        let tok = self.peek()?;
        if matches!(tok, Tok::Op(o) if o == op) {
            self.bump()?;
            return Ok(());
        }
        Err(self.unexpected(&tok, Some(op.text())))
    }

    /// A list of and-or lists up to one of `ends` (not consumed) or the
    /// end of the text; `required`: an empty list before an end is an error.
    fn parse_list(&mut self, ends: Ends, required: bool) -> PResult<Script> {
        let mut items = Vec::new();
        loop {
            self.skip_newlines()?;
            let tok = self.peek()?;
            if matches!(tok, Tok::Eof) {
                break;
            }
            if Self::is_end(&tok, ends) {
                if required && items.is_empty() {
                    return Err(self.unexpected(&tok, None));
                }
                break;
            }
            let and_or = self.parse_and_or()?;
            let tok = self.peek()?;
            let background = match tok {
                Tok::Op(Op::Semi) => {
                    self.bump()?;
                    false
                }
                Tok::Op(Op::Amp) => {
                    self.bump()?;
                    true
                }
                Tok::Newline | Tok::Eof => false,
                _ if Self::is_end(&tok, ends) => false,
                other => return Err(self.unexpected(&other, None)),
            };
            items.push(Item { and_or, background });
        }
        Ok(Script { items })
    }

    fn parse_and_or(&mut self) -> PResult<AndOr> {
        let first = self.parse_pipeline()?;
        let mut rest = Vec::new();
        loop {
            let conn = match self.peek()? {
                Tok::Op(Op::AndIf) => Connector::And,
                Tok::Op(Op::OrIf) => Connector::Or,
                _ => break,
            };
            self.bump()?;
            self.skip_newlines()?;
            rest.push((conn, self.parse_pipeline()?));
        }
        Ok(AndOr { first, rest })
    }

    fn parse_pipeline(&mut self) -> PResult<Pipeline> {
        let mut negate = false;
        if bare(&self.peek()?) == Some("!") {
            self.bump()?;
            negate = true;
        }
        let mut commands = vec![self.parse_command()?];
        while matches!(self.peek()?, Tok::Op(Op::Pipe)) {
            self.bump()?;
            self.skip_newlines()?;
            commands.push(self.parse_command()?);
        }
        Ok(Pipeline { negate, commands })
    }

    /// A command: compound (with its redirections), a function definition
    /// or a simple command.
    fn parse_command(&mut self) -> PResult<Command> {
        let line = self.peek_line()?;
        let tok = self.peek()?;
        let opens = matches!(tok, Tok::Op(Op::LParen))
            || matches!(
                bare(&tok),
                Some("if" | "for" | "while" | "until" | "case" | "{")
            );
        if opens {
            let compound = self.parse_compound()?;
            let redirs = self.parse_redirs()?;
            return Ok(Command::Compound(Arc::new(compound), redirs, line));
        }
        if let Some(s) = bare(&tok) {
            if RESERVED.contains(&s) && s != "in" {
                return Err(self.unexpected(&tok, None));
            }
        }
        self.parse_simple(line)
    }

    /// A compound command, from its opening word or `(`.
    fn parse_compound(&mut self) -> PResult<Compound> {
        self.lexer.enter()?;
        let tok = self.bump()?;
        let compound = match bare(&tok) {
            Some("{") => {
                let body = self.parse_list(Ends::TOP, true)?;
                self.expect_word("}")?;
                Compound::Group(body)
            }
            Some("if") => self.parse_if()?,
            Some("for") => self.parse_for()?,
            Some(w @ ("while" | "until")) => {
                let until = w == "until";
                let cond = self.parse_list(Ends::TOP, true)?;
                self.expect_word("do")?;
                let body = self.parse_list(Ends::TOP, true)?;
                self.expect_word("done")?;
                Compound::While { until, cond, body }
            }
            Some("case") => self.parse_case()?,
            _ => {
                let body = self.parse_list(Ends::RPAREN, true)?;
                self.expect_op(Op::RParen)?;
                Compound::Subshell(body)
            }
        };
        self.lexer.leave();
        Ok(compound)
    }

    /// `if` after its word, through `fi`.
    fn parse_if(&mut self) -> PResult<Compound> {
        let mut arms = Vec::new();
        let mut otherwise = None;
        loop {
            let cond = self.parse_list(Ends::TOP, true)?;
            self.expect_word("then")?;
            let body = self.parse_list(Ends::TOP, true)?;
            arms.push((cond, body));
            match bare(&self.bump()?) {
                Some("elif") => continue,
                Some("else") => {
                    otherwise = Some(self.parse_list(Ends::TOP, true)?);
                    self.expect_word("fi")?;
                }
                Some("fi") => {}
                // parse_list stopped at an end or the end of the text.
                _ => return Err(self.unexpected(&Tok::Eof, Some("fi"))),
            }
            return Ok(Compound::If { arms, otherwise });
        }
    }

    /// `for` after its word, through `done`.
    fn parse_for(&mut self) -> PResult<Compound> {
        let name = match self.peek()? {
            tok @ Tok::Word(_) => match bare(&tok) {
                Some(n) if is_name(n) => n.to_string(),
                _ => return Err(self.error("bad for loop variable", false)),
            },
            _ => return Err(self.error("bad for loop variable", false)),
        };
        self.bump()?;
        self.skip_newlines()?;
        let mut words = None;
        match self.peek()? {
            tok if bare(&tok) == Some("in") => {
                self.bump()?;
                let mut list = Vec::new();
                loop {
                    match self.bump()? {
                        Tok::Word(w) => list.push(w),
                        Tok::Op(Op::Semi) | Tok::Newline => break,
                        other => return Err(self.unexpected(&other, None)),
                    }
                }
                words = Some(list);
            }
            Tok::Op(Op::Semi) => {
                self.bump()?;
            }
            _ => {}
        }
        self.expect_word("do")?;
        let body = self.parse_list(Ends::TOP, true)?;
        self.expect_word("done")?;
        Ok(Compound::For { name, words, body })
    }

    /// `case` after its word, through `esac`.
    fn parse_case(&mut self) -> PResult<Compound> {
        let word = match self.bump()? {
            Tok::Word(w) => w,
            other => return Err(self.unexpected(&other, None)),
        };
        self.expect_word("in")?;
        let mut arms = Vec::new();
        loop {
            self.skip_newlines()?;
            let tok = self.peek()?;
            if bare(&tok) == Some("esac") {
                self.bump()?;
                break;
            }
            if matches!(tok, Tok::Op(Op::LParen)) {
                self.bump()?;
            }
            let mut patterns = Vec::new();
            loop {
                match self.bump()? {
                    Tok::Word(w) => patterns.push(w),
                    other => return Err(self.unexpected(&other, Some(")"))),
                }
                match self.bump()? {
                    Tok::Op(Op::Pipe) => continue,
                    Tok::Op(Op::RParen) => break,
                    other => return Err(self.unexpected(&other, Some(")"))),
                }
            }
            let body = self.parse_list(Ends::DSEMI, false)?;
            arms.push(CaseArm { patterns, body });
            self.skip_newlines()?;
            match self.bump()? {
                Tok::Op(Op::DSemi) => {}
                tok if bare(&tok) == Some("esac") => break,
                other => return Err(self.unexpected(&other, Some(";;"))),
            }
        }
        Ok(Compound::Case { word, arms })
    }

    /// Redirections after a compound command.
    fn parse_redirs(&mut self) -> PResult<Vec<Redir>> {
        let mut redirs = Vec::new();
        loop {
            match self.peek()? {
                Tok::IoNumber(n) => {
                    self.bump()?;
                    let op = self.bump()?;
                    redirs.push(self.parse_redir(Some(n), op)?);
                }
                tok @ Tok::Op(Op::Redir(_) | Op::HereDoc(_)) => {
                    self.bump()?;
                    redirs.push(self.parse_redir(None, tok)?);
                }
                _ => return Ok(redirs),
            }
        }
    }

    /// One redirection after its operator (already consumed).
    fn parse_redir(&mut self, fd: Option<u32>, op: Tok) -> PResult<Redir> {
        match op {
            Tok::Op(Op::Redir(op)) => {
                let target = self.redir_target()?;
                Ok(Redir { fd, op, target })
            }
            Tok::Op(Op::HereDoc(strip)) => {
                let delim = self.redir_target()?;
                let expand = delim.iter().all(|p| matches!(p, Part::Lit(_)));
                let text = delimiter_text(&delim);
                let target = self.lexer.read_heredoc(&text, strip, expand)?;
                Ok(Redir {
                    fd,
                    op: RedirOp::HereDoc,
                    target,
                })
            }
            other => Err(self.unexpected(&other, None)),
        }
    }

    fn parse_simple(&mut self, line: usize) -> PResult<Command> {
        let mut cmd = Simple {
            assigns: Vec::new(),
            words: Vec::new(),
            redirs: Vec::new(),
            line,
        };
        loop {
            match self.peek()? {
                Tok::Word(w) => {
                    if cmd.words.is_empty() {
                        if let Some(assign) = as_assignment(&w) {
                            self.bump()?;
                            cmd.assigns.push(assign);
                            continue;
                        }
                    }
                    self.bump()?;
                    cmd.words.push(w);
                    if cmd.words.len() == 1 && cmd.assigns.is_empty() && cmd.redirs.is_empty() {
                        if let Tok::Op(Op::LParen) = self.peek()? {
                            return self.parse_function(&cmd.words[0], line);
                        }
                    }
                }
                Tok::IoNumber(n) => {
                    self.bump()?;
                    let op = self.bump()?;
                    cmd.redirs.push(self.parse_redir(Some(n), op)?);
                }
                tok @ Tok::Op(Op::Redir(_) | Op::HereDoc(_)) => {
                    self.bump()?;
                    cmd.redirs.push(self.parse_redir(None, tok)?);
                }
                _ => break,
            }
        }
        if cmd.words.is_empty() && cmd.assigns.is_empty() && cmd.redirs.is_empty() {
            let tok = self.peek()?;
            return Err(self.unexpected(&tok, None));
        }
        Ok(Command::Simple(cmd))
    }

    /// `NAME ( ) body` after the name, at the `(`.
    fn parse_function(&mut self, name: &Word, line: usize) -> PResult<Command> {
        self.bump()?;
        self.expect_op(Op::RParen)?;
        let name = match literal(name) {
            Some(n) if is_name(&n) && matches!(name.as_slice(), [Part::Lit(_)]) => n,
            _ => return Err(self.error("bad function name", false)),
        };
        self.skip_newlines()?;
        self.lexer.enter()?;
        let body = self.parse_command()?;
        self.lexer.leave();
        let (body, redirs) = match body {
            Command::Compound(c, redirs, _) => (c, redirs),
            other => {
                let item = Item {
                    and_or: AndOr {
                        first: Pipeline {
                            negate: false,
                            commands: vec![other],
                        },
                        rest: Vec::new(),
                    },
                    background: false,
                };
                let group = Compound::Group(Script { items: vec![item] });
                (Arc::new(group), Vec::new())
            }
        };
        let body = FuncBody { body, redirs, line };
        Ok(Command::FuncDef(name, Arc::new(body)))
    }

    fn redir_target(&mut self) -> PResult<Word> {
        match self.bump()? {
            Tok::Word(w) => Ok(w),
            other => Err(self.unexpected(&other, None)),
        }
    }
}

/// A here-document's delimiter with its quotes removed.
fn delimiter_text(word: &Word) -> String {
    let mut s = String::new();
    for part in word {
        match part {
            Part::Lit(t) | Part::Quoted(t) => s.push_str(t),
            Part::Param { name, .. } => {
                s.push('$');
                s.push_str(name);
            }
            _ => {}
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use crate::interp::testkit::*;

    #[tokio::test(start_paused = true)]
    async fn syntax_errors_are_worded_as_busybox_words_them() {
        let cases = [
            ("echo 'unterminated", "unterminated quoted string"),
            ("echo a; echo \"b", "unterminated quoted string"),
            ("echo ok &&", "unexpected end of file"),
            ("; echo", "unexpected \";\""),
            ("echo )", "unexpected \")\""),
            ("echo a ;;", "unexpected \";;\""),
            (
                "if true; then echo",
                "unexpected end of file (expecting \"fi\")",
            ),
            (
                "if true; echo; fi",
                "unexpected \"fi\" (expecting \"then\")",
            ),
            ("if true; then fi", "unexpected \"fi\""),
            ("if", "unexpected end of file (expecting \"then\")"),
            ("while true; done", "unexpected \"done\" (expecting \"do\")"),
            (
                "for x in a b; echo; done",
                "unexpected word (expecting \"do\")",
            ),
            ("for", "bad for loop variable"),
            ("for x in", "unexpected end of file"),
            ("case a x", "unexpected word (expecting \"in\")"),
            ("case a in", "unexpected end of file (expecting \")\")"),
            (
                "case a in x) echo",
                "unexpected end of file (expecting \";;\")",
            ),
            ("{ echo", "unexpected end of file (expecting \"}\")"),
            ("{ }", "unexpected \"}\""),
            ("( )", "unexpected \")\""),
            ("(echo", "unexpected end of file (expecting \")\")"),
            ("echo $(echo", "unexpected end of file (expecting \")\")"),
            ("f() { }", "unexpected \"}\""),
            ("done", "unexpected \"done\""),
            ("echo | fi", "unexpected \"fi\""),
        ];
        let cases = cases
            .iter()
            .map(|(text, msg)| {
                let err: &'static str = Box::leak(format!("sh: syntax error: {msg}\n").into());
                script(text, "", err, 2)
            })
            .collect();
        check(cases).await;
    }

    #[tokio::test(start_paused = true)]
    async fn compound_commands_and_here_documents() {
        check(vec![
            script(
                "if false; then echo a; elif true; then echo b; else echo c; fi",
                "b\n",
                "",
                0,
            ),
            script(
                "for i in 1 2; do echo $i; done; for i do echo no; done",
                "1\n2\n",
                "",
                0,
            ),
            script(
                "i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i",
                "3\n",
                "",
                0,
            ),
            script(
                "case ab in a) echo no;; a*) echo yes;; esac",
                "yes\n",
                "",
                0,
            ),
            script("f() { echo \"$1\"; }; f 'a b'", "a b\n", "", 0),
            script("{ echo a; } | cat; (echo b) >&2", "a\n", "b\n", 0),
            // Here-documents: bodies, line numbers after them, two on a line.
            script(
                "cat <<E; cat <<-F\nx $HOME\nE\n\ty\n\tF\nnosuch",
                "x /root\ny\n",
                "sh: nosuch: not found\n",
                127,
            ),
            script("cat <<'E'\n$HOME\nE", "$HOME\n", "", 0),
            script("cat <<E\nno end", "no end", "", 0),
            // Deep nesting is a syntax error, not a stack overflow.
            script(
                &format!("{}echo{}", "{ ".repeat(1000), "; }".repeat(1000)),
                "",
                "sh: syntax error: nesting too deep\n",
                2,
            ),
        ])
        .await;
    }
}
