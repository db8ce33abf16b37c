//! The parser: tokens to a [`Script`]. Only simple commands, pipelines,
//! and-or lists and `;`/`&`/newline sequences are supported; compound
//! commands, subshells and here-documents are syntax errors.

use super::ast::{
    as_assignment, literal, AndOr, Connector, Item, PResult, ParseError, Part, Pipeline, Redir,
    Script, Simple, Word,
};
use super::lexer::{Lexer, Op, Tok};

/// Reserved words of compound commands we do not support.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "{",
    "}", "function", "select", "[[", "]]",
];

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

/// The parser the lexer calls for command substitutions (see
/// [`NestedParser`](super::lexer::NestedParser)).
fn parse_nested(lexer: &mut Lexer, until_rparen: bool) -> PResult<Script> {
    Parser {
        lexer,
        peeked: None,
    }
    .parse_list(until_rparen)
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

    fn unexpected(&self, tok: &Tok) -> ParseError {
        match tok {
            Tok::Eof => self.error("unexpected end of file", true),
            Tok::Newline => self.error("newline unexpected", false),
            Tok::Op(op) => self.error(format!("\"{}\" unexpected", op.text()), false),
            Tok::IoNumber(n) => self.error(format!("\"{n}\" unexpected"), false),
            Tok::Word(w) => self.error(
                format!("\"{}\" unexpected", literal(w).unwrap_or_default()),
                false,
            ),
        }
    }

    fn skip_newlines(&mut self) -> PResult<()> {
        while matches!(self.peek()?, Tok::Newline) {
            self.bump()?;
        }
        Ok(())
    }

    fn parse_list(&mut self, until_rparen: bool) -> PResult<Script> {
        let mut items = Vec::new();
        loop {
            self.skip_newlines()?;
            match self.peek()? {
                Tok::Eof if until_rparen => return Err(self.error("missing ')'", true)),
                Tok::Eof => break,
                Tok::Op(Op::RParen) if until_rparen => {
                    self.bump()?;
                    break;
                }
                _ => {}
            }
            let and_or = self.parse_and_or()?;
            let background = match self.peek()? {
                Tok::Op(Op::Semi) => {
                    self.bump()?;
                    false
                }
                Tok::Op(Op::Amp) => {
                    self.bump()?;
                    true
                }
                Tok::Newline | Tok::Eof => false,
                Tok::Op(Op::RParen) if until_rparen => false,
                other => return Err(self.unexpected(&other)),
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
        if let Tok::Word(w) = self.peek()? {
            if matches!(w.as_slice(), [Part::Lit(s)] if s == "!") {
                self.bump()?;
                negate = true;
            }
        }
        let mut commands = vec![self.parse_command()?];
        while matches!(self.peek()?, Tok::Op(Op::Pipe)) {
            self.bump()?;
            self.skip_newlines()?;
            commands.push(self.parse_command()?);
        }
        Ok(Pipeline { negate, commands })
    }

    fn parse_command(&mut self) -> PResult<Simple> {
        let line = self.peek_line()?;
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
                        if let [Part::Lit(s)] = w.as_slice() {
                            if RESERVED.contains(&s.as_str()) {
                                return Err(self.error(format!("'{s}' is not supported"), false));
                            }
                        }
                    }
                    self.bump()?;
                    cmd.words.push(w);
                }
                Tok::IoNumber(n) => {
                    self.bump()?;
                    match self.bump()? {
                        Tok::Op(Op::Redir(op)) => {
                            let target = self.redir_target()?;
                            cmd.redirs.push(Redir {
                                fd: Some(n),
                                op,
                                target,
                            });
                        }
                        Tok::Op(Op::HereDoc) => {
                            return Err(self.error("here-documents are not supported", false))
                        }
                        other => return Err(self.unexpected(&other)),
                    }
                }
                Tok::Op(Op::Redir(op)) => {
                    self.bump()?;
                    let target = self.redir_target()?;
                    cmd.redirs.push(Redir {
                        fd: None,
                        op,
                        target,
                    });
                }
                Tok::Op(Op::HereDoc) => {
                    return Err(self.error("here-documents are not supported", false))
                }
                Tok::Op(Op::LParen) if cmd.words.is_empty() && cmd.assigns.is_empty() => {
                    return Err(self.error("subshells are not supported", false))
                }
                _ => break,
            }
        }
        if cmd.words.is_empty() && cmd.assigns.is_empty() && cmd.redirs.is_empty() {
            let tok = self.peek()?;
            return Err(self.unexpected(&tok));
        }
        Ok(cmd)
    }

    fn redir_target(&mut self) -> PResult<Word> {
        match self.bump()? {
            Tok::Word(w) => Ok(w),
            other => Err(self.unexpected(&other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::interp::testkit::*;

    #[tokio::test(start_paused = true)]
    async fn syntax_errors() {
        check(vec![
            // syntax errors and unsupported constructs
            script(
                "echo 'unterminated",
                "",
                "sh: 1: syntax error: unterminated quoted string\n",
                2,
            ),
            script(
                "echo a; echo \"b",
                "",
                "sh: 1: syntax error: unterminated quoted string\n",
                2,
            ),
            script(
                "echo ok &&",
                "",
                "sh: 1: syntax error: unexpected end of file\n",
                2,
            ),
            script("; echo", "", "sh: 1: syntax error: \";\" unexpected\n", 2),
            script(
                "if true; then echo; fi",
                "",
                "sh: 1: syntax error: 'if' is not supported\n",
                2,
            ),
            script(
                "echo $((1+1))",
                "",
                "sh: 1: syntax error: arithmetic expansion $((...)) is not supported\n",
                2,
            ),
            script(
                "cat <<EOF",
                "",
                "sh: 1: syntax error: here-documents are not supported\n",
                2,
            ),
        ])
        .await;
    }
}
