//! Simulated container processes: a tiny, deterministic shell interpreter.
//!
//! Containers of the in-memory backend run no real process. Their command
//! (Entrypoint + Cmd, or an exec's argv) is turned into a [`Program`] by
//! [`Program::parse`] and *simulated* by [`Program::run`], which writes output
//! chunks to a channel and returns an exit status.
//!
//! # What is simulated
//!
//! * Builtins (a path prefix such as `/bin/echo` works the same): `echo`,
//!   `printf`, `true`, `false`, `:`, `exit`, `sleep`, `cat`, `env`, `pwd`,
//!   `hostname`, `id`, `whoami`, `test`/`[`, `export`, `unset`, `set`, `cd`,
//!   `seq`, `head`, `tail`, `read`, `shift`, `wait`, `trap`, `exec`,
//!   `command`, `uname`, `basename`, `dirname`, and the shells `sh`, `bash`,
//!   `dash`, `ash`, `zsh`, `ksh` (`-c SCRIPT [arg0 args…]`, `-e`, `-x`,
//!   combined flags such as `-ec`, or a script read from stdin line by line).
//! * Script syntax: `;`/newline sequences, `&&`, `||`, `!`, `|` (see below),
//!   comments, single/double quotes, backslash escapes, `$VAR`, `${VAR}`,
//!   `${VAR:-w}`/`-`/`:=`/`=`/`:+`/`+`/`:?`/`?`, `${#VAR}`, special
//!   parameters (`$?`, `$$`, `$#`, `$@`, `$*`, `$0`…`$9`, `${10}`, `$-`),
//!   `$(…)` and backquote command substitution, `~`, `NAME=value`
//!   assignments (alone or as a command prefix), word splitting of unquoted
//!   expansions, and redirections of fds 0–2 (`>&2`, `2>&1`, `>/dev/null`,
//!   `&>`, `< /dev/null`; other files swallow output like files we don't keep).
//! * Pipelines `a | b` run their stages one after the other: each stage's
//!   stdout is buffered and becomes the next stage's stdin; the pipeline's
//!   status is the last stage's. A stage that never finishes blocks the
//!   pipeline (there is no `yes | head`).
//! * `cmd &` runs `cmd` to completion in a subshell before going on, unless
//!   it would block forever (or is a `sleep`), in which case it is skipped;
//!   `$?` is 0 afterwards and `wait` returns 0.
//! * Errors follow dash's format, prefixed by `$0` and the line:
//!   `sh: 1: foo: not found` (127), `sh: 1: syntax error: …` (2). Invoked as
//!   `/bin/sh -c …`, the prefix is `/bin/sh`, as with dash.
//! * Unknown commands: 127 inside scripts; at the top level (the argv
//!   itself, `exec cmd`, `env … cmd`) they follow [`UnknownCommand`].
//! * Users for `id`/`whoami`: `root`, `daemon`, `bin`, `sys`, `www-data`,
//!   `nobody` (group `nogroup`) are known; other names get uid/gid 1000;
//!   numeric uids other than those have no name.
//!
//! # What is not
//!
//! `trap` (accepted, never fires), `umask`, `ulimit` and `sync` are no-ops.
//! No compound commands (`if`, `for`, `while`, `case`, `{ }`, `( )`),
//! functions, here-documents, arithmetic `$((…))`, globbing, pattern
//! operators (`${V#p}`): these are syntax errors (status 2), never mis-run.
//! No globbing: `*` stays literal. No file system: only `/dev/null`,
//! `/dev/stdin` and `/etc/hostname` can be read; other reads fail like
//! missing files, and writes to files are discarded.

use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc::{Receiver, UnboundedSender};

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/// Standard stream of an output chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdStream {
    /// Standard output (fd 1).
    Stdout,
    /// Standard error (fd 2).
    Stderr,
}

/// What the simulated process sees.
#[derive(Debug, Clone, Default)]
pub struct ProcessContext {
    /// Environment as `KEY=VALUE` strings (entries without `=` are ignored).
    pub env: Vec<String>,
    /// Working directory; `""` means `/`.
    pub working_dir: String,
    /// Host name reported by `hostname` and `/etc/hostname`.
    pub hostname: String,
    /// User spec as in Docker's `User`: `""` (root), `"1000"`,
    /// `"1000:1000"`, `"nobody"`, `"name:group"`.
    pub user: String,
    /// Whether stdin is kept open (Docker's `OpenStdin`).
    pub open_stdin: bool,
}

/// How a top-level command the interpreter does not know behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownCommand {
    /// A container's main process (nginx, postgres…): runs until killed.
    RunForever,
    /// An exec: writes the command line back to stdout and exits 0
    /// ("mock output").
    Echo,
}

/// The simulated process's stdio.
#[derive(Debug)]
pub struct ProcessIo {
    /// Standard input: `None` means no stdin (`/dev/null`, immediate EOF); a
    /// closed channel is EOF.
    pub stdin: Option<Receiver<Bytes>>,
    /// Every chunk the process writes, tagged with its stream, in order.
    pub output: UnboundedSender<(StdStream, Bytes)>,
}

/// A parsed, ready-to-run simulated program.
#[derive(Debug, Clone)]
pub struct Program {
    kind: Kind,
    unknown: UnknownCommand,
}

#[derive(Debug, Clone)]
enum Kind {
    Empty,
    Argv(Vec<String>),
    Shell(Box<Invocation>),
}

impl Program {
    /// Parses a command line (Entrypoint + Cmd, or an exec's argv).
    ///
    /// Never fails: a shell script that does not parse becomes a program that
    /// writes `sh: 1: syntax error: …` to stderr and exits 2, like a shell.
    pub fn parse(argv: &[String], unknown: UnknownCommand) -> Program {
        let kind = match argv.first() {
            None => Kind::Empty,
            Some(first) if is_shell(basename(first)) => {
                Kind::Shell(Box::new(parse_invocation(argv)))
            }
            Some(_) => Kind::Argv(argv.to_vec()),
        };
        Program { kind, unknown }
    }

    /// Whether the program is expected to run until killed: `sleep
    /// infinity`, `tail -f …`, an unknown command under
    /// [`UnknownCommand::RunForever`], a shell reading an open stdin, a
    /// script with such a command at its top level (before any `exit`)…
    ///
    /// This is a hint; [`Program::run`] is the truth.
    pub fn runs_forever(&self, ctx: &ProcessContext) -> bool {
        match &self.kind {
            Kind::Empty => false,
            Kind::Argv(argv) => argv_forever(argv, self.unknown, ctx, true),
            Kind::Shell(inv) => invocation_forever(inv, self.unknown, ctx),
        }
    }

    /// Runs the program and returns its exit status.
    ///
    /// Commands that run forever await forever: the caller cancels the
    /// future (drops it) on stop or kill, which is safe at any await point.
    pub async fn run(&self, ctx: &ProcessContext, io: &mut ProcessIo) -> i32 {
        let mut input = Input::new(io.stdin.as_mut());
        let mut sinks = Sinks {
            tx: io.output.clone(),
            captures: Vec::new(),
        };
        let mut pio = Io {
            input: &mut input,
            sinks: &mut sinks,
            fds: Fds::default(),
        };
        let mut shell = Shell::new(ctx, self.unknown);
        match &self.kind {
            Kind::Empty => {
                pio.err("exec: no command specified\n");
                127
            }
            Kind::Argv(argv) => shell
                .run_argv(argv.clone(), Origin::Top, &mut pio)
                .await
                .status(),
            Kind::Shell(inv) => shell.run_invocation(inv, &mut pio).await,
        }
    }
}

// ---------------------------------------------------------------------------
// Stdio plumbing
// ---------------------------------------------------------------------------

/// A readable stdin: the process's channel, or a buffer (pipes).
struct Input<'r> {
    rx: Option<&'r mut Receiver<Bytes>>,
    buf: Vec<u8>,
    /// Prefix of `buf` known to hold no newline.
    scanned: usize,
    eof: bool,
}

impl<'r> Input<'r> {
    fn new(rx: Option<&'r mut Receiver<Bytes>>) -> Self {
        let eof = rx.is_none();
        Input {
            rx,
            buf: Vec::new(),
            scanned: 0,
            eof,
        }
    }

    fn from_bytes(buf: Vec<u8>) -> Input<'static> {
        Input {
            rx: None,
            buf,
            scanned: 0,
            eof: true,
        }
    }

    /// Receives one more chunk into the buffer; false at EOF. Cancel-safe.
    async fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        let Some(rx) = self.rx.as_mut() else {
            self.eof = true;
            return false;
        };
        match rx.recv().await {
            Some(chunk) => {
                self.buf.extend_from_slice(&chunk);
                true
            }
            None => {
                self.eof = true;
                false
            }
        }
    }

    /// The next available bytes, or `None` at EOF.
    async fn read_chunk(&mut self) -> Option<Vec<u8>> {
        loop {
            if !self.buf.is_empty() {
                self.scanned = 0;
                return Some(std::mem::take(&mut self.buf));
            }
            if !self.fill().await {
                return None;
            }
        }
    }

    /// The next line including its `\n` (the last one may lack it), or
    /// `None` at EOF.
    async fn read_line(&mut self) -> Option<Vec<u8>> {
        loop {
            let from = self.scanned.min(self.buf.len());
            if let Some(i) = self.buf[from..].iter().position(|&b| b == b'\n') {
                let rest = self.buf.split_off(from + i + 1);
                self.scanned = 0;
                return Some(std::mem::replace(&mut self.buf, rest));
            }
            self.scanned = self.buf.len();
            if !self.fill().await {
                self.scanned = 0;
                return if self.buf.is_empty() {
                    None
                } else {
                    Some(std::mem::take(&mut self.buf))
                };
            }
        }
    }

    async fn read_all(&mut self) -> Vec<u8> {
        let mut all = Vec::new();
        while let Some(chunk) = self.read_chunk().await {
            all.extend_from_slice(&chunk);
        }
        all
    }
}

/// Where a file descriptor points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dest {
    Stdout,
    Stderr,
    Null,
    /// Buffered (pipe stage or command substitution), by capture-stack index.
    Capture(usize),
}

/// The current targets of fds 1 and 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fds {
    out: Dest,
    err: Dest,
}

impl Default for Fds {
    fn default() -> Self {
        Fds {
            out: Dest::Stdout,
            err: Dest::Stderr,
        }
    }
}

/// The process's output channel plus a stack of capture buffers.
struct Sinks {
    tx: UnboundedSender<(StdStream, Bytes)>,
    captures: Vec<Vec<u8>>,
}

impl Sinks {
    fn write(&mut self, dest: Dest, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        let stream = match dest {
            Dest::Stdout => StdStream::Stdout,
            Dest::Stderr => StdStream::Stderr,
            Dest::Null => return,
            Dest::Capture(i) => {
                if let Some(buf) = self.captures.get_mut(i) {
                    buf.extend_from_slice(data);
                }
                return;
            }
        };
        // A dropped receiver means nobody listens any more: discard.
        let _ = self.tx.send((stream, Bytes::copy_from_slice(data)));
    }

    fn push_capture(&mut self) -> Dest {
        self.captures.push(Vec::new());
        Dest::Capture(self.captures.len() - 1)
    }

    fn pop_capture(&mut self) -> Vec<u8> {
        self.captures.pop().unwrap_or_default()
    }
}

/// Stdio of one command: stdin, sinks and fd targets.
struct Io<'a, 'r> {
    input: &'a mut Input<'r>,
    sinks: &'a mut Sinks,
    fds: Fds,
}

impl<'r> Io<'_, 'r> {
    fn out(&mut self, data: impl AsRef<[u8]>) {
        self.sinks.write(self.fds.out, data.as_ref());
    }

    fn err(&mut self, data: impl AsRef<[u8]>) {
        self.sinks.write(self.fds.err, data.as_ref());
    }

    fn with_fds(&mut self, fds: Fds) -> Io<'_, 'r> {
        Io {
            input: &mut *self.input,
            sinks: &mut *self.sinks,
            fds,
        }
    }
}

// ---------------------------------------------------------------------------
// Syntax tree
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
struct ParseError {
    message: String,
    line: usize,
    /// More input could complete the script (unterminated quote, `a &&`…).
    incomplete: bool,
}

type PResult<T> = Result<T, ParseError>;

#[derive(Debug, Clone, Default)]
struct Script {
    items: Vec<Item>,
}

#[derive(Debug, Clone)]
struct Item {
    and_or: AndOr,
    background: bool,
}

#[derive(Debug, Clone)]
struct AndOr {
    first: Pipeline,
    rest: Vec<(Connector, Pipeline)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Connector {
    And,
    Or,
}

#[derive(Debug, Clone)]
struct Pipeline {
    negate: bool,
    commands: Vec<Simple>,
}

#[derive(Debug, Clone)]
struct Simple {
    assigns: Vec<(String, Word)>,
    words: Vec<Word>,
    redirs: Vec<Redir>,
    line: usize,
}

#[derive(Debug, Clone)]
struct Redir {
    fd: Option<u32>,
    op: RedirOp,
    target: Word,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RedirOp {
    /// `>`, `>|`
    Out,
    /// `>>`
    Append,
    /// `>&`
    DupOut,
    /// `<`
    In,
    /// `<&`
    DupIn,
    /// `<>`
    ReadWrite,
    /// `&>`, `&>>`
    All,
}

type Word = Vec<Part>;

#[derive(Debug, Clone)]
enum Part {
    /// Unquoted literal text.
    Lit(String),
    /// Quoted (or escaped) literal text.
    Quoted(String),
    Param {
        name: String,
        op: ParamOp,
        quoted: bool,
    },
    Subst {
        script: Script,
        quoted: bool,
    },
    Tilde,
}

#[derive(Debug, Clone)]
enum ParamOp {
    Plain,
    Length,
    With {
        kind: OpKind,
        colon: bool,
        word: Word,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpKind {
    Default,
    Assign,
    Alt,
    Error,
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Tok {
    Word(Word),
    IoNumber(u32),
    Op(Op),
    Newline,
    Eof,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Semi,
    DSemi,
    Amp,
    AndIf,
    OrIf,
    Pipe,
    LParen,
    RParen,
    Redir(RedirOp),
    HereDoc,
}

impl Op {
    fn text(self) -> &'static str {
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
            Op::HereDoc => "<<",
        }
    }
}

fn is_meta(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')'
    )
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "{",
    "}", "function", "select", "[[", "]]",
];

struct Parser {
    src: Vec<char>,
    pos: usize,
    line: usize,
    peeked: Option<(Tok, usize)>,
}

impl Parser {
    fn new(text: &str, first_line: usize) -> Self {
        Parser {
            src: text.chars().collect(),
            pos: 0,
            line: first_line,
            peeked: None,
        }
    }

    fn parse_program(mut self) -> PResult<Script> {
        self.parse_list(false)
    }

    fn error(&self, message: impl Into<String>, incomplete: bool) -> ParseError {
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

    fn fill(&mut self) -> PResult<()> {
        if self.peeked.is_none() {
            let tok = self.lex()?;
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
        Ok(self.peeked.as_ref().map_or(self.line, |t| t.1))
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

    fn lex(&mut self) -> PResult<(Tok, usize)> {
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
                self.pos += 1;
                self.line += 1;
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
            '<' if next == Some('<') => (Op::HereDoc, 2),
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
        let mut buf = String::new();
        loop {
            match self.cur() {
                None => return Err(self.error("unterminated quoted string", true)),
                Some('"') => {
                    self.pos += 1;
                    break;
                }
                Some('\\') => {
                    match self.at(1) {
                        Some('\n') => self.line += 1,
                        Some(x @ ('$' | '`' | '"' | '\\')) => buf.push(x),
                        Some(x) => {
                            buf.push('\\');
                            buf.push(x);
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
        if !buf.is_empty() || parts.len() == before {
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
                Err(self.error("arithmetic expansion $((...)) is not supported", false))
            }
            Some('(') => {
                self.pos += 2;
                self.peeked = None;
                let script = self.parse_list(true)?;
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
        let word = self.lex_word(true)?;
        if self.cur() != Some('}') {
            return Err(self.error("missing '}'", true));
        }
        self.pos += 1;
        parts.push(Part::Param {
            name,
            op: ParamOp::With { kind, colon, word },
            quoted,
        });
        Ok(())
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
        let script = Parser::new(&text, line).parse_program().map_err(|mut e| {
            e.incomplete = false;
            e
        })?;
        parts.push(Part::Subst { script, quoted });
        Ok(())
    }
}

fn flush(lit: &mut String, parts: &mut Vec<Part>) {
    if !lit.is_empty() {
        parts.push(Part::Lit(std::mem::take(lit)));
    }
}

/// `NAME=value` at the start of a word.
fn as_assignment(word: &Word) -> Option<(String, Word)> {
    let Some(Part::Lit(s)) = word.first() else {
        return None;
    };
    let (name, rest) = s.split_once('=')?;
    if !is_name(name) {
        return None;
    }
    let mut value = Vec::new();
    if !rest.is_empty() {
        value.push(Part::Lit(rest.to_string()));
    }
    value.extend(word[1..].iter().cloned());
    Some((name.to_string(), value))
}

/// The text of a word without expansions, if it has none.
fn literal(word: &Word) -> Option<String> {
    let mut s = String::new();
    for part in word {
        match part {
            Part::Lit(t) | Part::Quoted(t) => s.push_str(t),
            _ => return None,
        }
    }
    Some(s)
}

// ---------------------------------------------------------------------------
// Shell invocation (`sh [-ex] -c SCRIPT …`)
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Invocation {
    /// `argv[0]` as invoked.
    path: String,
    /// `$0`.
    name: String,
    params: Vec<String>,
    errexit: bool,
    xtrace: bool,
    source: Source,
}

#[derive(Debug, Clone)]
enum Source {
    Script(Result<Script, ParseError>),
    Stdin,
    File(String),
    Usage(String),
}

fn is_shell(name: &str) -> bool {
    matches!(name, "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh")
}

fn parse_invocation(argv: &[String]) -> Invocation {
    let path = argv.first().cloned().unwrap_or_else(|| "sh".into());
    let mut inv = Invocation {
        path: path.clone(),
        name: path.clone(),
        params: Vec::new(),
        errexit: false,
        xtrace: false,
        source: Source::Stdin,
    };
    let (mut command, mut from_stdin) = (false, false);
    let mut i = 1;
    while let Some(arg) = argv.get(i) {
        if arg == "--" || arg == "-" {
            i += 1;
            break;
        }
        if arg.starts_with("--") {
            i += 1; // --login, --norc, --posix…
            continue;
        }
        let (on, flags) = if let Some(f) = arg.strip_prefix('-') {
            (true, f)
        } else if let Some(f) = arg.strip_prefix('+') {
            (false, f)
        } else {
            break;
        };
        i += 1;
        for flag in flags.chars() {
            match flag {
                'c' => command = true,
                's' => from_stdin = true,
                'e' => inv.errexit = on,
                'x' => inv.xtrace = on,
                'o' => {
                    match argv.get(i).map(String::as_str) {
                        Some("errexit") => inv.errexit = on,
                        Some("xtrace") => inv.xtrace = on,
                        _ => {}
                    }
                    i += 1;
                }
                'i' | 'l' | 'u' | 'v' | 'a' | 'f' | 'n' | 'h' | 'm' | 'b' | 'C' | 'E' | 'p'
                | 'T' | 'B' | 'H' | 'P' | 'k' | 't' => {}
                other => {
                    inv.source = Source::Usage(format!("{path}: 0: Illegal option -{other}\n"));
                    return inv;
                }
            }
        }
    }
    let rest = argv.get(i..).unwrap_or_default();
    if command {
        let Some(text) = rest.first() else {
            inv.source = Source::Usage(format!("{path}: 0: -c requires an argument\n"));
            return inv;
        };
        if let Some(name) = rest.get(1) {
            inv.name = name.clone();
        }
        inv.params = rest.get(2..).unwrap_or_default().to_vec();
        inv.source = Source::Script(Parser::new(text, 1).parse_program());
    } else if from_stdin || rest.is_empty() {
        inv.params = rest.to_vec();
    } else {
        inv.name = rest[0].clone();
        inv.params = rest[1..].to_vec();
        inv.source = Source::File(rest[0].clone());
    }
    inv
}

// ---------------------------------------------------------------------------
// "Runs forever" hint
// ---------------------------------------------------------------------------

fn invocation_forever(inv: &Invocation, unknown: UnknownCommand, ctx: &ProcessContext) -> bool {
    match &inv.source {
        Source::Stdin => ctx.open_stdin,
        Source::Script(Ok(script)) => script_forever(script, unknown, ctx),
        _ => false,
    }
}

fn script_forever(script: &Script, unknown: UnknownCommand, ctx: &ProcessContext) -> bool {
    for item in &script.items {
        let pipelines =
            std::iter::once(&item.and_or.first).chain(item.and_or.rest.iter().map(|(_, p)| p));
        for pipeline in pipelines {
            for cmd in &pipeline.commands {
                let Some(argv) = cmd.words.iter().map(literal).collect::<Option<Vec<_>>>() else {
                    continue;
                };
                if argv.first().is_some_and(|a| basename(a) == "exit") {
                    return false;
                }
                if argv_forever(&argv, unknown, ctx, false) {
                    return true;
                }
            }
        }
    }
    false
}

fn argv_forever(argv: &[String], unknown: UnknownCommand, ctx: &ProcessContext, top: bool) -> bool {
    let Some(first) = argv.first() else {
        return false;
    };
    let name = basename(first);
    let args = &argv[1..];
    match name {
        "sleep" => args.iter().any(|a| matches!(parse_sleep(a), Ok(None))),
        "tail" => parse_tail(args).follow,
        "cat" => ctx.open_stdin && (args.is_empty() || args.iter().any(|a| a == "-")),
        "env" => match parse_env(args) {
            Ok(spec) => argv_forever(&args[spec.command..], unknown, ctx, top),
            Err(_) => false,
        },
        "exec" => argv_forever(args, unknown, ctx, true),
        "command" => argv_forever(args, unknown, ctx, top),
        _ if is_shell(name) => invocation_forever(&parse_invocation(argv), unknown, ctx),
        _ if is_builtin(name) => false,
        _ => top && unknown == UnknownCommand::RunForever,
    }
}

// ---------------------------------------------------------------------------
// Execution
// ---------------------------------------------------------------------------

type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Outcome of running something: a status, or an `exit` unwinding the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal(i32),
    Exit(i32),
}

impl Flow {
    fn status(self) -> i32 {
        match self {
            Flow::Normal(s) | Flow::Exit(s) => s,
        }
    }
}

/// Who runs a command: decides unknown-command handling and message prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The container's argv, or `exec`: unknown commands follow
    /// [`UnknownCommand`].
    Top,
    /// A script command on this line.
    Script(usize),
    /// `env CMD` inside a script, on this line.
    Env(usize),
}

#[derive(Debug, Clone)]
struct Var {
    name: String,
    value: String,
    exported: bool,
}

#[derive(Debug, Clone)]
struct Shell {
    vars: Vec<Var>,
    params: Vec<String>,
    name: String,
    status: i32,
    cwd: String,
    errexit: bool,
    xtrace: bool,
    hostname: String,
    user: String,
    unknown: UnknownCommand,
    subst_status: Option<i32>,
}

/// Accumulates the fields of an expansion, splitting unquoted text.
#[derive(Debug, Default)]
struct Fields {
    done: Vec<String>,
    cur: String,
    valid: bool,
    split: bool,
}

impl Fields {
    fn quoted(&mut self, s: &str) {
        self.cur.push_str(s);
        self.valid = true;
    }

    fn unquoted(&mut self, s: &str) {
        if !self.split {
            self.cur.push_str(s);
            self.valid |= !s.is_empty();
            return;
        }
        for c in s.chars() {
            if matches!(c, ' ' | '\t' | '\n') {
                self.brk();
            } else {
                self.cur.push(c);
                self.valid = true;
            }
        }
    }

    fn brk(&mut self) {
        if self.valid {
            self.done.push(std::mem::take(&mut self.cur));
            self.valid = false;
        }
    }

    fn finish(mut self) -> Vec<String> {
        self.brk();
        self.done
    }
}

impl Shell {
    fn new(ctx: &ProcessContext, unknown: UnknownCommand) -> Shell {
        let cwd = if ctx.working_dir.is_empty() {
            "/".to_string()
        } else {
            ctx.working_dir.clone()
        };
        let mut shell = Shell {
            vars: Vec::new(),
            params: Vec::new(),
            name: "sh".into(),
            status: 0,
            cwd: cwd.clone(),
            errexit: false,
            xtrace: false,
            hostname: ctx.hostname.clone(),
            user: ctx.user.clone(),
            unknown,
            subst_status: None,
        };
        for entry in &ctx.env {
            if let Some((k, v)) = entry.split_once('=') {
                shell.set_var(k, v, true);
            }
        }
        if shell.get("PWD").is_none() {
            shell.set_var("PWD", &cwd, false);
        }
        shell
    }

    /// A new process started by this shell: sees exported variables only.
    fn child(&self) -> Shell {
        let mut child = self.clone();
        child.vars.retain(|v| v.exported);
        child.params.clear();
        child.status = 0;
        child.errexit = false;
        child.xtrace = false;
        child.subst_status = None;
        child
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.value.as_str())
    }

    /// Sets a variable; `export` marks it exported (never unmarks).
    fn set_var(&mut self, name: &str, value: &str, export: bool) {
        if let Some(v) = self.vars.iter_mut().find(|v| v.name == name) {
            v.value = value.to_string();
            v.exported |= export;
        } else {
            self.vars.push(Var {
                name: name.to_string(),
                value: value.to_string(),
                exported: export,
            });
        }
    }

    fn environ(&self) -> String {
        let mut s = String::new();
        for v in self.vars.iter().filter(|v| v.exported) {
            let _ = writeln!(s, "{}={}", v.name, v.value);
        }
        s
    }

    fn prefix(&self, origin: Origin) -> String {
        match origin {
            Origin::Top => String::new(),
            Origin::Script(line) | Origin::Env(line) => format!("{}: {line}: ", self.name),
        }
    }

    fn param(&self, name: &str) -> Option<String> {
        match name {
            "?" => Some(self.status.to_string()),
            "$" => Some("1".into()),
            "#" => Some(self.params.len().to_string()),
            "0" => Some(self.name.clone()),
            "@" | "*" => (!self.params.is_empty()).then(|| self.params.join(" ")),
            "!" => None,
            "-" => {
                let mut f = String::new();
                if self.errexit {
                    f.push('e');
                }
                if self.xtrace {
                    f.push('x');
                }
                Some(f)
            }
            _ if name.chars().all(|c| c.is_ascii_digit()) => name
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|n| self.params.get(n).cloned()),
            _ => self.get(name).map(str::to_string),
        }
    }

    async fn run_invocation(&mut self, inv: &Invocation, io: &mut Io<'_, '_>) -> i32 {
        self.name = inv.name.clone();
        self.params = inv.params.clone();
        self.errexit = inv.errexit;
        self.xtrace = inv.xtrace;
        match &inv.source {
            Source::Script(Ok(script)) => self.exec_script(script, io).await.status(),
            Source::Script(Err(e)) => {
                io.err(format!(
                    "{}: {}: syntax error: {}\n",
                    self.name, e.line, e.message
                ));
                2
            }
            Source::File(file) => {
                io.err(format!(
                    "{}: 0: cannot open {file}: No such file\n",
                    inv.path
                ));
                2
            }
            Source::Usage(msg) => {
                io.err(msg);
                2
            }
            Source::Stdin => self.run_stdin(io).await,
        }
    }

    /// Reads a script from stdin and runs each complete command as it arrives.
    async fn run_stdin(&mut self, io: &mut Io<'_, '_>) -> i32 {
        let mut pending = String::new();
        let mut line = 1;
        loop {
            let chunk = io.input.read_line().await;
            let eof = chunk.is_none();
            if let Some(bytes) = chunk {
                pending.push_str(&String::from_utf8_lossy(&bytes));
            }
            if pending.is_empty() {
                if eof {
                    break;
                }
                continue;
            }
            if !eof && (!pending.ends_with('\n') || continues_line(&pending)) {
                continue;
            }
            match Parser::new(&pending, line).parse_program() {
                Ok(script) => {
                    line += pending.matches('\n').count();
                    pending.clear();
                    if let Flow::Exit(n) = self.exec_script(&script, io).await {
                        return n;
                    }
                }
                Err(e) if e.incomplete && !eof => {}
                Err(e) => {
                    io.err(format!(
                        "{}: {}: syntax error: {}\n",
                        self.name, e.line, e.message
                    ));
                    return 2;
                }
            }
            if eof {
                break;
            }
        }
        self.status
    }

    fn exec_script<'s>(
        &'s mut self,
        script: &'s Script,
        io: &'s mut Io<'_, '_>,
    ) -> BoxFut<'s, Flow> {
        Box::pin(async move {
            for item in &script.items {
                if item.background {
                    // `cmd &` runs in a subshell: it cannot exit or change
                    // this shell, and `$?` is 0 afterwards.
                    let blocking = item.and_or.rest.is_empty()
                        && item.and_or.first.commands.iter().any(|cmd| {
                            let argv: Option<Vec<String>> = cmd.words.iter().map(literal).collect();
                            argv.is_some_and(|argv| {
                                argv.first().is_some_and(|a| basename(a) == "sleep")
                                    || argv_forever(
                                        &argv,
                                        self.unknown,
                                        &ProcessContext::default(),
                                        false,
                                    )
                            })
                        });
                    if !blocking {
                        let mut sub = self.clone();
                        sub.errexit = false;
                        sub.exec_and_or(&item.and_or, io).await;
                    }
                    self.status = 0;
                    continue;
                }
                let (flow, eligible) = self.exec_and_or(&item.and_or, io).await;
                match flow {
                    Flow::Exit(n) => return Flow::Exit(n),
                    Flow::Normal(s) => {
                        self.status = s;
                        if self.errexit && s != 0 && eligible {
                            return Flow::Exit(s);
                        }
                    }
                }
            }
            Flow::Normal(self.status)
        })
    }

    /// Runs `a && b || c`; the flag tells whether `-e` applies to the status.
    async fn exec_and_or(&mut self, and_or: &AndOr, io: &mut Io<'_, '_>) -> (Flow, bool) {
        let mut flow = self.exec_pipeline(&and_or.first, io).await;
        let mut eligible = !and_or.first.negate && and_or.rest.is_empty();
        for (i, (conn, pipeline)) in and_or.rest.iter().enumerate() {
            let Flow::Normal(s) = flow else {
                return (flow, false);
            };
            self.status = s;
            let run = match conn {
                Connector::And => s == 0,
                Connector::Or => s != 0,
            };
            if run {
                flow = self.exec_pipeline(pipeline, io).await;
                eligible = !pipeline.negate && i + 1 == and_or.rest.len();
            }
        }
        (flow, eligible)
    }

    async fn exec_pipeline(&mut self, pipeline: &Pipeline, io: &mut Io<'_, '_>) -> Flow {
        let flow = if let [cmd] = pipeline.commands.as_slice() {
            self.exec_simple(cmd, io).await
        } else {
            let mut data: Option<Vec<u8>> = None;
            let mut status = 0;
            let last = pipeline.commands.len().saturating_sub(1);
            for (i, cmd) in pipeline.commands.iter().enumerate() {
                let mut stage = self.clone();
                let out = if i == last {
                    io.fds.out
                } else {
                    io.sinks.push_capture()
                };
                let fds = Fds {
                    out,
                    err: io.fds.err,
                };
                let flow = match data.take() {
                    None => stage.exec_simple(cmd, &mut io.with_fds(fds)).await,
                    Some(bytes) => {
                        let mut input = Input::from_bytes(bytes);
                        let mut sub = Io {
                            input: &mut input,
                            sinks: &mut *io.sinks,
                            fds,
                        };
                        stage.exec_simple(cmd, &mut sub).await
                    }
                };
                status = flow.status();
                if i != last {
                    data = Some(io.sinks.pop_capture());
                }
            }
            Flow::Normal(status)
        };
        match flow {
            Flow::Normal(s) if pipeline.negate => Flow::Normal(i32::from(s == 0)),
            other => other,
        }
    }

    async fn exec_simple(&mut self, cmd: &Simple, io: &mut Io<'_, '_>) -> Flow {
        self.subst_status = None;
        let origin = Origin::Script(cmd.line);
        let argv = match self.expand_argv(&cmd.words, io).await {
            Ok(argv) => argv,
            Err(msg) => {
                io.err(format!("{}{msg}\n", self.prefix(origin)));
                return Flow::Exit(2);
            }
        };
        // Redirections, left to right.
        let mut fds = io.fds;
        let mut null_input = false;
        for redir in &cmd.redirs {
            let target = match self.expand_string(&redir.target, io).await {
                Ok(t) => t,
                Err(msg) => {
                    io.err(format!("{}{msg}\n", self.prefix(origin)));
                    return Flow::Exit(2);
                }
            };
            let file_dest = |t: &str, fds: &Fds| match t {
                "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => fds.out,
                "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => fds.err,
                _ => Dest::Null,
            };
            match redir.op {
                RedirOp::Out | RedirOp::Append => {
                    let dest = file_dest(&target, &fds);
                    set_fd(&mut fds, redir.fd.unwrap_or(1), dest);
                }
                RedirOp::All => {
                    let dest = file_dest(&target, &fds);
                    fds.out = dest;
                    fds.err = dest;
                }
                RedirOp::DupOut | RedirOp::DupIn => {
                    let default_fd = if redir.op == RedirOp::DupOut { 1 } else { 0 };
                    let fd = redir.fd.unwrap_or(default_fd);
                    let dest = match target.as_str() {
                        "1" => fds.out,
                        "2" => fds.err,
                        "-" | "0" => Dest::Null,
                        t if t.chars().all(|c| c.is_ascii_digit()) => {
                            io.with_fds(fds)
                                .err(format!("{}{t}: Bad file descriptor\n", self.prefix(origin)));
                            return Flow::Normal(2);
                        }
                        t if redir.op == RedirOp::DupOut && redir.fd.is_none() => {
                            // bash: `>&file` redirects both streams.
                            let dest = file_dest(t, &fds);
                            fds.out = dest;
                            fds.err = dest;
                            continue;
                        }
                        t => {
                            io.with_fds(fds)
                                .err(format!("{}{t}: Bad file descriptor\n", self.prefix(origin)));
                            return Flow::Normal(2);
                        }
                    };
                    set_fd(&mut fds, fd, dest);
                }
                RedirOp::In | RedirOp::ReadWrite => {
                    if redir.fd.unwrap_or(0) == 0 {
                        if target == "/dev/null" {
                            null_input = true;
                        } else if target != "/dev/stdin" {
                            io.with_fds(fds).err(format!(
                                "{}cannot open {target}: No such file\n",
                                self.prefix(origin)
                            ));
                            return Flow::Normal(2);
                        }
                    }
                }
            }
        }
        if argv.is_empty() {
            for (name, word) in &cmd.assigns {
                match self.expand_string(word, io).await {
                    Ok(value) => self.set_var(name, &value, false),
                    Err(msg) => {
                        io.err(format!("{}{msg}\n", self.prefix(origin)));
                        return Flow::Exit(2);
                    }
                }
            }
            return Flow::Normal(self.subst_status.unwrap_or(0));
        }
        // Prefix assignments: exported for this command only.
        let mut saved = Vec::new();
        for (name, word) in &cmd.assigns {
            let value = match self.expand_string(word, io).await {
                Ok(v) => v,
                Err(msg) => {
                    io.err(format!("{}{msg}\n", self.prefix(origin)));
                    return Flow::Exit(2);
                }
            };
            saved.push((
                name.clone(),
                self.vars.iter().find(|v| &v.name == name).cloned(),
            ));
            self.set_var(name, &value, true);
        }
        if self.xtrace {
            let mut trace = String::from("+");
            for (name, word) in &cmd.assigns {
                let _ = write!(trace, " {name}={}", literal(word).unwrap_or_default());
            }
            for arg in &argv {
                trace.push(' ');
                trace.push_str(arg);
            }
            trace.push('\n');
            io.err(trace);
        }
        let flow = if null_input {
            let mut input = Input::from_bytes(Vec::new());
            let mut sub = Io {
                input: &mut input,
                sinks: &mut *io.sinks,
                fds,
            };
            self.run_argv(argv, origin, &mut sub).await
        } else {
            self.run_argv(argv, origin, &mut io.with_fds(fds)).await
        };
        for (name, old) in saved.into_iter().rev() {
            match old {
                Some(var) => {
                    if let Some(v) = self.vars.iter_mut().find(|v| v.name == name) {
                        *v = var;
                    }
                }
                None => self.vars.retain(|v| v.name != name),
            }
        }
        flow
    }

    /// Expands command words into argv (declaration utilities such as
    /// `export` keep `NAME=value` operands unsplit).
    async fn expand_argv(
        &mut self,
        words: &[Word],
        io: &mut Io<'_, '_>,
    ) -> Result<Vec<String>, String> {
        let declaration = words.first().is_some_and(|w| {
            matches!(w.as_slice(), [Part::Lit(s)] if matches!(s.as_str(), "export" | "readonly" | "local"))
        });
        let mut argv = Vec::new();
        for (i, word) in words.iter().enumerate() {
            if declaration && i > 0 {
                if let Some((name, value)) = as_assignment(word) {
                    let value = self.expand_string(&value, io).await?;
                    argv.push(format!("{name}={value}"));
                    continue;
                }
            }
            let mut fields = Fields {
                split: true,
                ..Fields::default()
            };
            self.expand_parts(word, false, &mut fields, io).await?;
            argv.extend(fields.finish());
        }
        Ok(argv)
    }

    /// Expands a word to one string, without field splitting.
    async fn expand_string(&mut self, word: &Word, io: &mut Io<'_, '_>) -> Result<String, String> {
        let mut fields = Fields::default();
        self.expand_parts(word, false, &mut fields, io).await?;
        Ok(fields.finish().join(" "))
    }

    fn expand_parts<'s>(
        &'s mut self,
        parts: &'s [Part],
        in_quotes: bool,
        acc: &'s mut Fields,
        io: &'s mut Io<'_, '_>,
    ) -> BoxFut<'s, Result<(), String>> {
        Box::pin(async move {
            for part in parts {
                match part {
                    Part::Lit(s) if in_quotes => acc.quoted(s),
                    Part::Lit(s) => acc.unquoted(s),
                    Part::Quoted(s) => acc.quoted(s),
                    Part::Tilde => {
                        let home = self.get("HOME").unwrap_or("~").to_string();
                        acc.quoted(&home);
                    }
                    Part::Subst { script, quoted } => {
                        let text = self.command_subst(script, io).await;
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
                }
            }
            Ok(())
        })
    }

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
                            return Err(format!("{name}: cannot assign in this way"));
                        }
                        self.set_var(name, &v, false);
                        push(acc, &v);
                    }
                    OpKind::Alt if !unset => {
                        self.expand_parts(word, quoted, acc, io).await?;
                    }
                    OpKind::Alt => {}
                    OpKind::Error if unset => {
                        let msg = self.expand_string(word, io).await?;
                        let msg = if msg.is_empty() {
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

    async fn command_subst(&mut self, script: &Script, io: &mut Io<'_, '_>) -> String {
        let mut sub = self.clone();
        let out = io.sinks.push_capture();
        let fds = Fds {
            out,
            err: io.fds.err,
        };
        let flow = sub.exec_script(script, &mut io.with_fds(fds)).await;
        let bytes = io.sinks.pop_capture();
        self.subst_status = Some(flow.status());
        self.status = flow.status();
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        while text.ends_with('\n') {
            text.pop();
        }
        text
    }

    /// Runs one command with expanded arguments.
    fn run_argv<'s>(
        &'s mut self,
        argv: Vec<String>,
        origin: Origin,
        io: &'s mut Io<'_, '_>,
    ) -> BoxFut<'s, Flow> {
        Box::pin(async move {
            let Some(first) = argv.first() else {
                return Flow::Normal(0);
            };
            let name = basename(first).to_string();
            let args = &argv[1..];
            let status = match name.as_str() {
                "true" | ":" => 0,
                "false" => 1,
                "echo" => {
                    io.out(echo(args));
                    0
                }
                "printf" => {
                    let Some((fmt, rest)) = args.split_first() else {
                        io.err("printf: usage: printf format [arg ...]\n");
                        return Flow::Normal(2);
                    };
                    let (out, err, status) = printf(fmt, rest);
                    io.out(out);
                    io.err(err);
                    status
                }
                "exit" => {
                    let code = match args.first() {
                        None => self.status,
                        Some(a) => match a.trim().parse::<i64>() {
                            Ok(n) => n.rem_euclid(256) as i32,
                            Err(_) => {
                                io.err(format!(
                                    "{}exit: Illegal number: {a}\n",
                                    self.prefix(origin)
                                ));
                                2
                            }
                        },
                    };
                    return Flow::Exit(code);
                }
                "sleep" => return self.sleep(args, io).await,
                "cat" => self.cat(args, io).await,
                "env" => return self.env(args, origin, io).await,
                "pwd" => {
                    io.out(format!("{}\n", self.cwd));
                    0
                }
                "hostname" => {
                    io.out(format!("{}\n", self.hostname));
                    0
                }
                "id" => {
                    let (out, err, status) = id(&self.user, args);
                    io.out(out);
                    io.err(err);
                    status
                }
                "whoami" => {
                    let ident = resolve_user(&self.user);
                    match ident.uname {
                        Some(n) => {
                            io.out(format!("{n}\n"));
                            0
                        }
                        None => {
                            io.err(format!(
                                "whoami: cannot find name for user ID {}\n",
                                ident.uid
                            ));
                            1
                        }
                    }
                }
                "test" | "[" => {
                    let mut args = args;
                    if name == "[" {
                        match args.split_last() {
                            Some((last, rest)) if last == "]" => args = rest,
                            _ => {
                                io.err(format!("{}[: missing ]\n", self.prefix(origin)));
                                return Flow::Normal(2);
                            }
                        }
                    }
                    match test_eval(args) {
                        Ok(true) => 0,
                        Ok(false) => 1,
                        Err(msg) => {
                            io.err(format!("{}{name}: {msg}\n", self.prefix(origin)));
                            2
                        }
                    }
                }
                "export" | "readonly" | "local" => {
                    if args.is_empty() || args.iter().all(|a| a == "-p") {
                        let mut s = String::new();
                        for v in self.vars.iter().filter(|v| v.exported) {
                            let _ = writeln!(s, "export {}='{}'", v.name, v.value);
                        }
                        io.out(s);
                    }
                    let export = name == "export";
                    for arg in args.iter().filter(|a| !a.starts_with('-')) {
                        match arg.split_once('=') {
                            Some((k, v)) => self.set_var(k, v, export),
                            None => {
                                if let Some(var) = self.vars.iter_mut().find(|v| &v.name == arg) {
                                    var.exported |= export;
                                }
                            }
                        }
                    }
                    0
                }
                "unset" => {
                    for arg in args.iter().filter(|a| !a.starts_with('-')) {
                        self.vars.retain(|v| &v.name != arg);
                    }
                    0
                }
                "set" => self.set_builtin(args, io),
                "shift" => {
                    let n = args
                        .first()
                        .and_then(|a| a.parse::<usize>().ok())
                        .unwrap_or(1);
                    if n > self.params.len() {
                        io.err(format!(
                            "{}shift: can't shift that many\n",
                            self.prefix(origin)
                        ));
                        return Flow::Exit(2);
                    }
                    self.params.drain(..n);
                    0
                }
                "cd" => {
                    let target = match args
                        .iter()
                        .find(|a| !a.starts_with('-') || a.as_str() == "-")
                    {
                        Some(d) if d == "-" => self.get("OLDPWD").unwrap_or("/").to_string(),
                        Some(d) => d.clone(),
                        None => self.get("HOME").unwrap_or("/").to_string(),
                    };
                    let new = normalize_path(&self.cwd, &target);
                    let old = std::mem::replace(&mut self.cwd, new.clone());
                    self.set_var("OLDPWD", &old, false);
                    self.set_var("PWD", &new, false);
                    0
                }
                "seq" => self.seq(args, io).await,
                "head" => self.head(args, io).await,
                "tail" => return self.tail(args, io).await,
                "read" => self.read(args, io).await,
                "wait" | "trap" | "ulimit" | "umask" | "sync" => 0,
                "uname" => {
                    io.out(uname(args, &self.hostname));
                    0
                }
                "basename" => match args.first() {
                    Some(path) => {
                        let mut base = basename(path.trim_end_matches('/')).to_string();
                        if base.is_empty() && path.starts_with('/') {
                            base = "/".into();
                        }
                        if let Some(suffix) = args.get(1) {
                            if base.len() > suffix.len() && base.ends_with(suffix.as_str()) {
                                base.truncate(base.len() - suffix.len());
                            }
                        }
                        io.out(format!("{base}\n"));
                        0
                    }
                    None => {
                        io.err("basename: missing operand\n");
                        1
                    }
                },
                "dirname" => match args.first() {
                    Some(path) => {
                        io.out(format!("{}\n", dirname(path)));
                        0
                    }
                    None => {
                        io.err("dirname: missing operand\n");
                        1
                    }
                },
                "command" => {
                    if args.first().is_some_and(|a| a == "-v" || a == "-V") {
                        let found: Vec<&String> = args[1..]
                            .iter()
                            .filter(|a| is_builtin(basename(a)))
                            .collect();
                        for f in &found {
                            io.out(format!("{f}\n"));
                        }
                        if found.len() == args.len() - 1 && !found.is_empty() {
                            0
                        } else {
                            1
                        }
                    } else {
                        return self.run_argv(args.to_vec(), origin, io).await;
                    }
                }
                "exec" => {
                    if args.is_empty() {
                        return Flow::Normal(0);
                    }
                    let status = self.run_argv(args.to_vec(), Origin::Top, io).await.status();
                    return Flow::Exit(status);
                }
                _ if is_shell(&name) => {
                    let inv = parse_invocation(&argv);
                    let mut child = self.child();
                    child.run_invocation(&inv, io).await
                }
                _ => return self.unknown_command(&argv, origin, io).await,
            };
            Flow::Normal(status)
        })
    }

    async fn unknown_command(
        &mut self,
        argv: &[String],
        origin: Origin,
        io: &mut Io<'_, '_>,
    ) -> Flow {
        let name = argv.first().map(String::as_str).unwrap_or_default();
        match origin {
            Origin::Top => match self.unknown {
                UnknownCommand::RunForever => {
                    std::future::pending::<()>().await;
                    Flow::Normal(0)
                }
                UnknownCommand::Echo => {
                    io.out(format!("{}\n", argv.join(" ")));
                    Flow::Normal(0)
                }
            },
            Origin::Script(_) => {
                io.err(format!("{}{name}: not found\n", self.prefix(origin)));
                Flow::Normal(127)
            }
            Origin::Env(_) => {
                io.err(format!("env: '{name}': No such file or directory\n"));
                Flow::Normal(127)
            }
        }
    }

    async fn sleep(&mut self, args: &[String], io: &mut Io<'_, '_>) -> Flow {
        if args.is_empty() {
            io.err("sleep: missing operand\n");
            return Flow::Normal(1);
        }
        let mut total = Duration::ZERO;
        let mut forever = false;
        for arg in args {
            match parse_sleep(arg) {
                Ok(Some(d)) => match total.checked_add(d) {
                    Some(t) => total = t,
                    None => forever = true,
                },
                Ok(None) => forever = true,
                Err(()) => {
                    io.err(format!("sleep: invalid time interval '{arg}'\n"));
                    return Flow::Normal(1);
                }
            }
        }
        if forever {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(total).await;
        Flow::Normal(0)
    }

    async fn cat(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let files: Vec<&String> = args
            .iter()
            .filter(|a| a.as_str() == "-" || !a.starts_with('-'))
            .collect();
        let mut status = 0;
        if files.is_empty() {
            while let Some(chunk) = io.input.read_chunk().await {
                io.out(chunk);
            }
            return 0;
        }
        for file in files {
            if file == "-" || file == "/dev/stdin" {
                while let Some(chunk) = io.input.read_chunk().await {
                    io.out(chunk);
                }
            } else if let Some(content) = self.virtual_file(file) {
                io.out(content);
            } else {
                io.err(format!("cat: {file}: No such file or directory\n"));
                status = 1;
            }
        }
        status
    }

    fn virtual_file(&self, path: &str) -> Option<String> {
        match path {
            "/dev/null" => Some(String::new()),
            "/etc/hostname" => Some(format!("{}\n", self.hostname)),
            _ => None,
        }
    }

    async fn env(&mut self, args: &[String], origin: Origin, io: &mut Io<'_, '_>) -> Flow {
        let spec = match parse_env(args) {
            Ok(spec) => spec,
            Err(msg) => {
                io.err(msg);
                return Flow::Normal(125);
            }
        };
        let mut child = self.child();
        if spec.clear {
            child.vars.clear();
        }
        for name in &spec.unset {
            child.vars.retain(|v| &v.name != name);
        }
        for (k, v) in &spec.assigns {
            child.set_var(k, v, true);
        }
        let command = &args[spec.command..];
        if command.is_empty() {
            io.out(child.environ());
            return Flow::Normal(0);
        }
        let origin = match origin {
            Origin::Top => Origin::Top,
            Origin::Script(line) | Origin::Env(line) => Origin::Env(line),
        };
        let flow = child.run_argv(command.to_vec(), origin, io).await;
        Flow::Normal(flow.status())
    }

    fn set_builtin(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        if args.is_empty() {
            let mut s = String::new();
            for v in &self.vars {
                let _ = writeln!(s, "{}='{}'", v.name, v.value);
            }
            io.out(s);
            return 0;
        }
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            if arg == "--" {
                self.params = args[i + 1..].to_vec();
                return 0;
            }
            let (on, flags) = if let Some(f) = arg.strip_prefix('-') {
                (true, f)
            } else if let Some(f) = arg.strip_prefix('+') {
                (false, f)
            } else {
                self.params = args[i..].to_vec();
                return 0;
            };
            i += 1;
            for flag in flags.chars() {
                match flag {
                    'e' => self.errexit = on,
                    'x' => self.xtrace = on,
                    'o' => {
                        match args.get(i).map(String::as_str) {
                            Some("errexit") => self.errexit = on,
                            Some("xtrace") => self.xtrace = on,
                            _ => {}
                        }
                        i += 1;
                    }
                    _ => {}
                }
            }
        }
        0
    }

    /// `seq`, streamed in chunks so that huge ranges stay cancellable.
    async fn seq(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let (first, incr, last) = match seq_range(args) {
            Ok(range) => range,
            Err(msg) => {
                io.err(msg);
                return 1;
            }
        };
        let mut out = String::new();
        let mut n = first;
        while (incr > 0 && n <= last) || (incr < 0 && n >= last) {
            let _ = writeln!(out, "{n}");
            if out.len() >= 64 * 1024 {
                io.out(std::mem::take(&mut out));
                tokio::task::yield_now().await;
            }
            match n.checked_add(incr) {
                Some(next) => n = next,
                None => break,
            }
        }
        io.out(out);
        0
    }

    async fn head(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let (count, files) = parse_count(args, 10);
        let count = count.unsigned_abs() as usize;
        if let Some(file) = files.iter().find(|f| f.as_str() != "-") {
            return match self.virtual_file(file) {
                Some(content) => {
                    io.out(
                        content
                            .split_inclusive('\n')
                            .take(count)
                            .collect::<String>(),
                    );
                    0
                }
                None => {
                    io.err(format!(
                        "head: cannot open '{file}' for reading: No such file or directory\n"
                    ));
                    1
                }
            };
        }
        for _ in 0..count {
            match io.input.read_line().await {
                Some(line) => io.out(line),
                None => break,
            }
        }
        0
    }

    async fn tail(&mut self, args: &[String], io: &mut Io<'_, '_>) -> Flow {
        let spec = parse_tail(args);
        if spec.follow {
            std::future::pending::<()>().await;
        }
        let content = if let Some(file) = spec.files.iter().find(|f| f.as_str() != "-") {
            match self.virtual_file(file) {
                Some(c) => c.into_bytes(),
                None => {
                    io.err(format!(
                        "tail: cannot open '{file}' for reading: No such file or directory\n"
                    ));
                    return Flow::Normal(1);
                }
            }
        } else {
            io.input.read_all().await
        };
        let lines: Vec<&[u8]> = content.split_inclusive(|&b| b == b'\n').collect();
        let skip = if spec.from_start {
            spec.count.saturating_sub(1)
        } else {
            lines.len().saturating_sub(spec.count)
        };
        for line in lines.iter().skip(skip) {
            io.out(line);
        }
        Flow::Normal(0)
    }

    async fn read(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let raw = args.iter().any(|a| a == "-r");
        let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        let Some(line) = io.input.read_line().await else {
            for name in &names {
                self.set_var(name, "", false);
            }
            return 1;
        };
        let mut text = String::from_utf8_lossy(&line).into_owned();
        let complete = text.ends_with('\n');
        if complete {
            text.pop();
        }
        if !raw {
            let mut out = String::new();
            let mut chars = text.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else {
                    out.push(c);
                }
            }
            text = out;
        }
        if names.is_empty() {
            self.set_var("REPLY", &text, false);
        } else {
            let mut rest = text.trim_start_matches([' ', '\t']);
            for (i, name) in names.iter().enumerate() {
                if i + 1 == names.len() {
                    self.set_var(name, rest.trim_end_matches([' ', '\t']), false);
                } else {
                    let end = rest.find([' ', '\t']).unwrap_or(rest.len());
                    self.set_var(name, &rest[..end], false);
                    rest = rest[end..].trim_start_matches([' ', '\t']);
                }
            }
        }
        if complete {
            0
        } else {
            1
        }
    }
}

fn set_fd(fds: &mut Fds, fd: u32, dest: Dest) {
    match fd {
        1 => fds.out = dest,
        2 => fds.err = dest,
        _ => {}
    }
}

/// Whether the text ends with a backslash-newline continuation.
fn continues_line(text: &str) -> bool {
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

// ---------------------------------------------------------------------------
// Builtin helpers
// ---------------------------------------------------------------------------

const BUILTINS: &[&str] = &[
    "true", ":", "false", "echo", "printf", "exit", "sleep", "cat", "env", "pwd", "hostname", "id",
    "whoami", "test", "[", "export", "readonly", "local", "unset", "set", "shift", "cd", "seq",
    "head", "tail", "read", "wait", "trap", "ulimit", "umask", "sync", "uname", "basename",
    "dirname", "command", "exec",
];

fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name) || is_shell(name)
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn dirname(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.starts_with('/') { "/" } else { "." }.into();
    }
    match trimmed.rfind('/') {
        None => ".".into(),
        Some(i) => {
            let dir = trimmed[..i].trim_end_matches('/');
            if dir.is_empty() {
                "/".into()
            } else {
                dir.into()
            }
        }
    }
}

fn normalize_path(cwd: &str, target: &str) -> String {
    let joined = if target.starts_with('/') {
        target.to_string()
    } else {
        format!("{cwd}/{target}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

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

fn echo(args: &[String]) -> String {
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

/// Largest field width or precision `printf` honours.
const MAX_PAD: usize = 1 << 16;

/// `printf FORMAT ARGS…` → (stdout, stderr, status).
fn printf(fmt: &str, args: &[String]) -> (String, String, i32) {
    let f: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut err = String::new();
    let mut status = 0;
    let mut idx = 0;
    loop {
        let start_idx = idx;
        let mut i = 0;
        while i < f.len() {
            let c = f[i];
            if c == '\\' {
                let (text, used, _) = escape_at(&f, i + 1, false);
                out.push_str(&text);
                i += 1 + used;
                continue;
            }
            if c != '%' {
                out.push(c);
                i += 1;
                continue;
            }
            i += 1;
            if f.get(i) == Some(&'%') {
                out.push('%');
                i += 1;
                continue;
            }
            let mut flags = String::new();
            while let Some(&ch) = f.get(i).filter(|ch| "-+ 0#".contains(**ch)) {
                flags.push(ch);
                i += 1;
            }
            let next_int = |idx: &mut usize| {
                let v = args.get(*idx).and_then(|a| parse_int(a).ok()).unwrap_or(0);
                *idx += 1;
                v
            };
            let mut width = 0usize;
            let mut left = flags.contains('-');
            if f.get(i) == Some(&'*') {
                let w = next_int(&mut idx);
                left |= w < 0;
                width = usize::try_from(w.unsigned_abs()).unwrap_or(0);
                i += 1;
            } else {
                while let Some(d) = f.get(i).and_then(|d| d.to_digit(10)) {
                    width = width.saturating_mul(10).saturating_add(d as usize);
                    i += 1;
                }
            }
            let mut prec: Option<usize> = None;
            if f.get(i) == Some(&'.') {
                i += 1;
                if f.get(i) == Some(&'*') {
                    prec = Some(usize::try_from(next_int(&mut idx).max(0)).unwrap_or(0));
                    i += 1;
                } else {
                    let mut p = 0usize;
                    while let Some(d) = f.get(i).and_then(|d| d.to_digit(10)) {
                        p = p.saturating_mul(10).saturating_add(d as usize);
                        i += 1;
                    }
                    prec = Some(p);
                }
            }
            // Keep absurd widths/precisions from exhausting memory.
            width = width.min(MAX_PAD);
            let prec = prec.map(|p| p.min(MAX_PAD));
            let Some(&conv) = f.get(i) else {
                err.push_str("printf: %: invalid directive\n");
                return (out, err, 1);
            };
            i += 1;
            let arg = args.get(idx).cloned();
            if !matches!(
                conv,
                's' | 'b'
                    | 'c'
                    | 'd'
                    | 'i'
                    | 'u'
                    | 'x'
                    | 'X'
                    | 'o'
                    | 'f'
                    | 'F'
                    | 'e'
                    | 'E'
                    | 'g'
                    | 'G'
            ) {
                let _ = writeln!(err, "printf: %{conv}: invalid directive");
                return (out, err, 1);
            }
            idx += 1;
            let int_arg = |err: &mut String, status: &mut i32| match &arg {
                None => 0,
                Some(a) => parse_int(a).unwrap_or_else(|()| {
                    let _ = writeln!(err, "printf: {a}: expected numeric value");
                    *status = 1;
                    0
                }),
            };
            let zero = flags.contains('0') && !left;
            let body = match conv {
                's' => {
                    let s = arg.unwrap_or_default();
                    match prec {
                        Some(p) => s.chars().take(p).collect(),
                        None => s,
                    }
                }
                'b' => {
                    let (text, stop) = unescape(&arg.unwrap_or_default(), true);
                    if stop {
                        out.push_str(&pad(text, width, left, false));
                        return (out, err, status);
                    }
                    text
                }
                'c' => arg
                    .and_then(|a| a.chars().next())
                    .map(String::from)
                    .unwrap_or_default(),
                'd' | 'i' | 'u' => {
                    let v = int_arg(&mut err, &mut status);
                    let mut digits = v.unsigned_abs().to_string();
                    if let Some(p) = prec {
                        while digits.len() < p {
                            digits.insert(0, '0');
                        }
                    }
                    let sign = if v < 0 {
                        "-"
                    } else if flags.contains('+') {
                        "+"
                    } else if flags.contains(' ') {
                        " "
                    } else {
                        ""
                    };
                    format!("{sign}{digits}")
                }
                'x' | 'X' | 'o' => {
                    let v = int_arg(&mut err, &mut status) as u64;
                    match conv {
                        'x' => format!("{v:x}"),
                        'X' => format!("{v:X}"),
                        _ => format!("{v:o}"),
                    }
                }
                _ => {
                    let v: f64 = match &arg {
                        None => 0.0,
                        Some(a) => a.trim().parse().unwrap_or_else(|_| {
                            let _ = writeln!(err, "printf: {a}: expected numeric value");
                            status = 1;
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
            };
            let numeric = !matches!(conv, 's' | 'b' | 'c');
            out.push_str(&pad(body, width, left, zero && numeric));
        }
        if idx >= args.len() || idx == start_idx {
            break;
        }
    }
    (out, err, status)
}

/// Resolved identity of a user spec.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ident {
    uid: u32,
    uname: Option<String>,
    gid: u32,
    gname: Option<String>,
}

const KNOWN_USERS: &[(&str, u32, u32)] = &[
    ("root", 0, 0),
    ("daemon", 1, 1),
    ("bin", 2, 2),
    ("sys", 3, 3),
    ("www-data", 33, 33),
    ("nobody", 65534, 65534),
];

const KNOWN_GROUPS: &[(&str, u32)] = &[
    ("root", 0),
    ("daemon", 1),
    ("bin", 2),
    ("sys", 3),
    ("www-data", 33),
    ("nogroup", 65534),
];

fn group_name(gid: u32) -> Option<String> {
    KNOWN_GROUPS
        .iter()
        .find(|g| g.1 == gid)
        .map(|g| g.0.to_string())
}

fn resolve_user(spec: &str) -> Ident {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let (uid, uname, default_gid) = if user.is_empty() {
        (0, Some("root".to_string()), 0)
    } else if let Ok(n) = user.parse::<u32>() {
        match KNOWN_USERS.iter().find(|u| u.1 == n) {
            Some(k) => (n, Some(k.0.to_string()), k.2),
            None => (n, None, n),
        }
    } else {
        match KNOWN_USERS.iter().find(|u| u.0 == user) {
            Some(k) => (k.1, Some(user.to_string()), k.2),
            None => (1000, Some(user.to_string()), 1000),
        }
    };
    let (gid, gname) = match group.filter(|g| !g.is_empty()) {
        None => {
            let name = group_name(default_gid).or_else(|| {
                uname
                    .clone()
                    .filter(|n| !KNOWN_USERS.iter().any(|k| k.0 == n))
            });
            (default_gid, name)
        }
        Some(g) => match g.parse::<u32>() {
            Ok(n) => (n, group_name(n)),
            Err(_) => match KNOWN_GROUPS.iter().find(|k| k.0 == g) {
                Some(k) => (k.1, Some(g.to_string())),
                None => (default_gid, Some(g.to_string())),
            },
        },
    };
    Ident {
        uid,
        uname,
        gid,
        gname,
    }
}

fn with_name(id: u32, name: &Option<String>) -> String {
    match name {
        Some(n) => format!("{id}({n})"),
        None => id.to_string(),
    }
}

/// `id [-u|-g|-G] [-n] [USER]` → (stdout, stderr, status).
fn id(user: &str, args: &[String]) -> (String, String, i32) {
    let (mut u, mut g, mut groups, mut names) = (false, false, false, false);
    let mut operand = None;
    for arg in args {
        match arg.strip_prefix('-') {
            Some(flags) if !flags.is_empty() => {
                for c in flags.chars() {
                    match c {
                        'u' => u = true,
                        'g' => g = true,
                        'G' => groups = true,
                        'n' => names = true,
                        'r' => {}
                        other => {
                            return (
                                String::new(),
                                format!("id: invalid option -- '{other}'\n"),
                                1,
                            )
                        }
                    }
                }
            }
            _ => operand = Some(arg.as_str()),
        }
    }
    let ident = match operand {
        None => resolve_user(user),
        Some(op)
            if KNOWN_USERS.iter().any(|k| k.0 == op)
                || resolve_user(user).uname.as_deref() == Some(op) =>
        {
            if resolve_user(user).uname.as_deref() == Some(op) {
                resolve_user(user)
            } else {
                resolve_user(op)
            }
        }
        Some(op) => return (String::new(), format!("id: '{op}': no such user\n"), 1),
    };
    let pick = |id: u32, name: &Option<String>, what: &str| -> Result<String, String> {
        if !names {
            return Ok(format!("{id}\n"));
        }
        match name {
            Some(n) => Ok(format!("{n}\n")),
            None => Err(format!("id: cannot find name for {what} ID {id}\n")),
        }
    };
    let single = if u {
        Some(pick(ident.uid, &ident.uname, "user"))
    } else if g || groups {
        Some(pick(ident.gid, &ident.gname, "group"))
    } else {
        None
    };
    match single {
        Some(Ok(out)) => (out, String::new(), 0),
        Some(Err(err)) => (String::new(), err, 1),
        None => (
            format!(
                "uid={} gid={} groups={}\n",
                with_name(ident.uid, &ident.uname),
                with_name(ident.gid, &ident.gname),
                with_name(ident.gid, &ident.gname)
            ),
            String::new(),
            0,
        ),
    }
}

/// Parses a `sleep` operand: `Ok(None)` is infinity.
fn parse_sleep(arg: &str) -> Result<Option<Duration>, ()> {
    let lower = arg.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity") {
        return Ok(None);
    }
    let (num, mult) = match lower.char_indices().last() {
        Some((i, 's')) => (&lower[..i], 1.0),
        Some((i, 'm')) => (&lower[..i], 60.0),
        Some((i, 'h')) => (&lower[..i], 3600.0),
        Some((i, 'd')) => (&lower[..i], 86400.0),
        _ => (lower.as_str(), 1.0),
    };
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(());
    }
    let secs: f64 = num.parse().map_err(|_| ())?;
    Ok(Duration::try_from_secs_f64(secs * mult).ok())
}

#[derive(Debug, Default)]
struct TailSpec {
    follow: bool,
    count: usize,
    from_start: bool,
    files: Vec<String>,
}

fn parse_tail(args: &[String]) -> TailSpec {
    let mut spec = TailSpec {
        count: 10,
        ..TailSpec::default()
    };
    let mut i = 0;
    let set_count = |spec: &mut TailSpec, v: &str| {
        let (from_start, digits) = match v.strip_prefix('+') {
            Some(d) => (true, d),
            None => (false, v.strip_prefix('-').unwrap_or(v)),
        };
        if let Ok(n) = digits.parse() {
            spec.count = n;
            spec.from_start = from_start;
        }
    };
    while let Some(arg) = args.get(i) {
        i += 1;
        if arg == "-f" || arg == "-F" || arg.starts_with("--follow") || arg == "--retry" {
            spec.follow |= arg != "--retry";
        } else if arg == "-n" || arg == "--lines" {
            if let Some(v) = args.get(i) {
                set_count(&mut spec, v);
                i += 1;
            }
        } else if let Some(v) = arg.strip_prefix("--lines=") {
            set_count(&mut spec, v);
        } else if let Some(v) = arg.strip_prefix("-n") {
            set_count(&mut spec, v);
        } else if arg.len() > 1 && arg.starts_with('-') {
            let flags = &arg[1..];
            if flags.chars().all(|c| c.is_ascii_digit()) {
                set_count(&mut spec, flags);
            } else if flags.contains(['f', 'F']) {
                spec.follow = true;
            }
        } else {
            spec.files.push(arg.clone());
        }
    }
    spec
}

/// `-n N`, `-nN`, `-N` count (default `default`) and remaining operands.
fn parse_count(args: &[String], default: i64) -> (i64, Vec<String>) {
    let mut count = default;
    let mut files = Vec::new();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        i += 1;
        if arg == "-n" {
            if let Some(v) = args.get(i) {
                count = v.parse().unwrap_or(default);
                i += 1;
            }
        } else if let Some(v) = arg.strip_prefix("-n") {
            count = v.parse().unwrap_or(default);
        } else if let Some(v) = arg.strip_prefix('-').filter(|v| !v.is_empty()) {
            count = v.parse().unwrap_or(default);
        } else {
            files.push(arg.clone());
        }
    }
    (count, files)
}

#[derive(Debug, Default)]
struct EnvSpec {
    clear: bool,
    unset: Vec<String>,
    assigns: Vec<(String, String)>,
    /// Index in the arguments where the command starts.
    command: usize,
}

fn parse_env(args: &[String]) -> Result<EnvSpec, String> {
    let mut spec = EnvSpec::default();
    let mut i = 0;
    let mut options = true;
    while let Some(arg) = args.get(i) {
        if options && (arg == "-i" || arg == "-" || arg == "--ignore-environment") {
            spec.clear = true;
        } else if options && arg == "-u" {
            i += 1;
            match args.get(i) {
                Some(name) => spec.unset.push(name.clone()),
                None => return Err("env: option requires an argument -- 'u'\n".into()),
            }
        } else if options && arg == "--" {
            options = false;
        } else if options && arg.len() > 1 && arg.starts_with('-') {
            return Err(format!("env: invalid option -- '{}'\n", &arg[1..]));
        } else if let Some((k, v)) = arg.split_once('=').filter(|(k, _)| !k.is_empty()) {
            options = false;
            spec.assigns.push((k.to_string(), v.to_string()));
        } else {
            break;
        }
        i += 1;
    }
    spec.command = i;
    Ok(spec)
}

/// Parses `seq [FIRST [INCR]] LAST` operands into (first, increment, last).
fn seq_range(args: &[String]) -> Result<(i64, i64, i64), String> {
    let mut nums = Vec::new();
    for a in args {
        match a.parse::<i64>() {
            Ok(n) => nums.push(n),
            Err(_) => return Err(format!("seq: invalid floating point argument: '{a}'\n")),
        }
    }
    let range = match nums.as_slice() {
        [last] => (1, 1, *last),
        [first, last] => (*first, 1, *last),
        [first, incr, last] => (*first, *incr, *last),
        _ => return Err("seq: missing operand\n".into()),
    };
    if range.1 == 0 {
        return Err("seq: invalid Zero increment value: '0'\n".into());
    }
    Ok(range)
}

fn uname(args: &[String], hostname: &str) -> String {
    let mut fields = Vec::new();
    for arg in args {
        for c in arg.trim_start_matches('-').chars() {
            match c {
                'a' => fields.extend([
                    "Linux",
                    hostname,
                    "6.0.0-sockerless",
                    "#1 SMP",
                    "x86_64",
                    "GNU/Linux",
                ]),
                's' => fields.push("Linux"),
                'n' => fields.push(hostname),
                'r' => fields.push("6.0.0-sockerless"),
                'v' => fields.push("#1 SMP"),
                'm' | 'p' | 'i' => fields.push("x86_64"),
                'o' => fields.push("GNU/Linux"),
                _ => {}
            }
        }
    }
    if fields.is_empty() {
        fields.push("Linux");
    }
    format!("{}\n", fields.join(" "))
}

// ---------------------------------------------------------------------------
// test / [
// ---------------------------------------------------------------------------

fn test_eval(args: &[String]) -> Result<bool, String> {
    if args.is_empty() {
        return Ok(false);
    }
    let mut p = TestParser { args, pos: 0 };
    let v = p.or()?;
    match args.get(p.pos) {
        None => Ok(v),
        Some(extra) => Err(format!("{extra}: unexpected operator")),
    }
}

struct TestParser<'a> {
    args: &'a [String],
    pos: usize,
}

const TEST_BINARY: &[&str] = &[
    "=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "<", ">", "-nt", "-ot", "-ef",
];
const TEST_UNARY: &[&str] = &[
    "-z", "-n", "-e", "-f", "-d", "-s", "-r", "-w", "-x", "-L", "-h", "-t", "-b", "-c", "-p", "-S",
    "-g", "-u", "-k", "-O", "-G",
];

impl<'a> TestParser<'a> {
    fn peek(&self, off: usize) -> Option<&'a str> {
        self.args.get(self.pos + off).map(String::as_str)
    }

    fn or(&mut self) -> Result<bool, String> {
        let mut v = self.and()?;
        while self.peek(0) == Some("-o") {
            self.pos += 1;
            let r = self.and()?;
            v = v || r;
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<bool, String> {
        let mut v = self.not()?;
        while self.peek(0) == Some("-a") {
            self.pos += 1;
            let r = self.not()?;
            v = v && r;
        }
        Ok(v)
    }

    fn not(&mut self) -> Result<bool, String> {
        if self.peek(0) == Some("!") && self.peek(1).is_some() {
            self.pos += 1;
            return Ok(!self.not()?);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<bool, String> {
        let Some(a) = self.peek(0) else {
            return Err("argument expected".into());
        };
        if let (Some(op), Some(b)) = (self.peek(1), self.peek(2)) {
            if TEST_BINARY.contains(&op) {
                self.pos += 3;
                return binary_test(a, op, b);
            }
        }
        if a == "(" && self.peek(1).is_some() {
            self.pos += 1;
            let v = self.or()?;
            if self.peek(0) != Some(")") {
                return Err("closing paren expected".into());
            }
            self.pos += 1;
            return Ok(v);
        }
        if let Some(b) = self.peek(1) {
            if TEST_UNARY.contains(&a) {
                self.pos += 2;
                return Ok(unary_test(a, b));
            }
        }
        self.pos += 1;
        Ok(!a.is_empty())
    }
}

fn unary_test(op: &str, arg: &str) -> bool {
    let exists = matches!(
        arg,
        "/" | "."
            | "/tmp"
            | "/dev"
            | "/etc"
            | "/dev/null"
            | "/etc/hostname"
            | "/bin"
            | "/usr"
            | "/root"
    );
    let is_dir = exists && !matches!(arg, "/dev/null" | "/etc/hostname");
    match op {
        "-z" => arg.is_empty(),
        "-n" => !arg.is_empty(),
        "-e" | "-r" => exists,
        "-d" | "-x" => is_dir,
        "-f" | "-s" => arg == "/etc/hostname",
        "-w" => exists,
        "-c" => arg == "/dev/null",
        _ => false,
    }
}

fn binary_test(a: &str, op: &str, b: &str) -> Result<bool, String> {
    let int = |s: &str| {
        s.trim()
            .parse::<i64>()
            .map_err(|_| format!("Illegal number: {s}"))
    };
    Ok(match op {
        "=" | "==" => a == b,
        "!=" => a != b,
        "<" => a < b,
        ">" => a > b,
        "-eq" => int(a)? == int(b)?,
        "-ne" => int(a)? != int(b)?,
        "-lt" => int(a)? < int(b)?,
        "-le" => int(a)? <= int(b)?,
        "-gt" => int(a)? > int(b)?,
        "-ge" => int(a)? >= int(b)?,
        _ => false,
    })
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc;

    /// Runs a program; returns (stdout, stderr, status).
    async fn run_with(
        argv: &[&str],
        unknown: UnknownCommand,
        ctx: &ProcessContext,
        stdin: Option<&[&str]>,
    ) -> (String, String, i32) {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        let program = Program::parse(&argv, unknown);
        let (tx, mut rx) = mpsc::unbounded_channel();
        let stdin = stdin.map(|chunks| {
            let (itx, irx) = mpsc::channel(64);
            for c in chunks {
                itx.try_send(Bytes::copy_from_slice(c.as_bytes()))
                    .expect("stdin send");
            }
            irx
        });
        let mut io = ProcessIo { stdin, output: tx };
        let status = program.run(ctx, &mut io).await;
        drop(io);
        let (mut out, mut err) = (String::new(), String::new());
        while let Some((stream, bytes)) = rx.recv().await {
            let s = String::from_utf8_lossy(&bytes);
            match stream {
                StdStream::Stdout => out.push_str(&s),
                StdStream::Stderr => err.push_str(&s),
            }
        }
        (out, err, status)
    }

    fn ctx() -> ProcessContext {
        ProcessContext {
            env: vec![
                "PATH=/usr/local/bin:/usr/bin:/bin".into(),
                "HOME=/root".into(),
                "GREETING=hello   world".into(),
            ],
            working_dir: String::new(),
            hostname: "abc123".into(),
            user: String::new(),
            open_stdin: false,
        }
    }

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    struct Case {
        argv: Vec<String>,
        out: &'static str,
        err: &'static str,
        status: i32,
    }

    fn case(argv: &[&str], out: &'static str, err: &'static str, status: i32) -> Case {
        Case {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            out,
            err,
            status,
        }
    }

    fn script(text: &str, out: &'static str, err: &'static str, status: i32) -> Case {
        Case {
            argv: sh(text),
            out,
            err,
            status,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn table() {
        let cases = vec![
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
            // true/false/exit
            case(&["true"], "", "", 0),
            case(&["/bin/false"], "", "", 1),
            script("exit 300", "", "", 44),
            script("exit -1", "", "", 255),
            script("false; exit", "", "", 1),
            script("exit abc", "", "sh: 1: exit: Illegal number: abc\n", 2),
            // the brief's flagship
            script("echo hello; echo oops >&2; exit 3", "hello\n", "oops\n", 3),
            // and-or
            script("false || echo x", "x\n", "", 0),
            script("true && false", "", "", 1),
            script("true || echo no; echo yes", "yes\n", "", 0),
            script("false && echo a || echo b", "b\n", "", 0),
            script("! false && echo negated", "negated\n", "", 0),
            script("! true", "", "", 1),
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
                "sh: 1: NOPE: gone\n",
                2,
            ),
            script("false; echo $?", "1\n", "", 0),
            script("echo $$", "1\n", "", 0),
            script("echo $UNSET_VAR.", ".\n", "", 0),
            script("X=5 && echo $X", "5\n", "", 0),
            script(
                "export FOO=bar; env | grep FOO",
                "",
                "sh: 1: grep: not found\n",
                127,
            ),
            script("echo $GREETING", "hello world\n", "", 0),
            script("echo \"$GREETING\"", "hello   world\n", "", 0),
            script(
                "set -- a 'b c'; echo $#; printf '<%s>' \"$@\"",
                "2\n<a><b c>",
                "",
                0,
            ),
            script("echo ~ ~/x", "/root /root/x\n", "", 0),
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
            // command substitution
            script("echo \"[$(hostname)]\" `whoami`", "[abc123] root\n", "", 0),
            script("X=$(exit 7); echo $?", "7\n", "", 0),
            // redirections
            script("echo hidden >/dev/null; echo shown", "shown\n", "", 0),
            script(
                "echo e >&2 2>/dev/null; echo f 2>/dev/null 1>&2",
                "",
                "e\n",
                0,
            ),
            script("echo both >/dev/null 2>&1", "", "", 0),
            script("echo x 2>&1 >/dev/null", "", "", 0),
            script("echo data > /tmp/file; echo ok", "ok\n", "", 0),
            script(
                "cat < /nope",
                "",
                "sh: 1: cannot open /nope: No such file\n",
                2,
            ),
            script("nosuch 2>&1", "sh: 1: nosuch: not found\n", "", 127),
            // pipes
            script("echo a b | cat", "a b\n", "", 0),
            script(
                "printf 'l1\\nl2\\nl3\\n' | tail -n 2 | head -n 1",
                "l2\n",
                "",
                0,
            ),
            script("echo x | false", "", "", 1),
            // -e and -x
            (Case {
                argv: vec!["sh".into(), "-ec".into(), "echo a; false; echo b".into()],
                out: "a\n",
                err: "",
                status: 1,
            }),
            (Case {
                argv: vec![
                    "/bin/bash".into(),
                    "-e".into(),
                    "-c".into(),
                    "false || true; echo ok".into(),
                ],
                out: "ok\n",
                err: "",
                status: 0,
            }),
            (Case {
                argv: vec!["sh".into(), "-xc".into(), "echo hi".into()],
                out: "hi\n",
                err: "+ echo hi\n",
                status: 0,
            }),
            script("set -e; false && true; echo survived", "survived\n", "", 0),
            // positional parameters
            case(
                &["sh", "-c", "echo $0 $1 $2 $#", "me", "a", "b"],
                "me a b 2\n",
                "",
                0,
            ),
            case(&["sh", "-c", "nope"], "", "sh: 1: nope: not found\n", 127),
            case(
                &["sh", "-c", "echo a\nnope", "x"],
                "a\n",
                "x: 2: nope: not found\n",
                127,
            ),
            // env / pwd / hostname
            case(
                &["env"],
                "PATH=/usr/local/bin:/usr/bin:/bin\nHOME=/root\nGREETING=hello   world\n",
                "",
                0,
            ),
            case(&["env", "-i", "A=1", "B=2"], "A=1\nB=2\n", "", 0),
            case(
                &["/usr/bin/env", "-i", "K=V", "sh", "-c", "echo $K"],
                "V\n",
                "",
                0,
            ),
            script("X=1 env -i | cat; Y=2; env -i Z=3 env", "Z=3\n", "", 0),
            script(
                "LOCAL=1; export EXP=2; sh -c 'echo [$LOCAL][$EXP]'",
                "[][2]\n",
                "",
                0,
            ),
            case(&["pwd"], "/\n", "", 0),
            script(
                "cd /usr/lib; cd ../bin; pwd; cd; pwd",
                "/usr/bin\n/root\n",
                "",
                0,
            ),
            case(&["hostname"], "abc123\n", "", 0),
            case(&["cat", "/etc/hostname"], "abc123\n", "", 0),
            case(
                &["cat", "/etc/passwd"],
                "",
                "cat: /etc/passwd: No such file or directory\n",
                1,
            ),
            // id / whoami (root)
            case(&["id"], "uid=0(root) gid=0(root) groups=0(root)\n", "", 0),
            case(&["whoami"], "root\n", "", 0),
            case(&["id", "-un"], "root\n", "", 0),
            // test
            script(
                "[ -z \"\" ] && [ -n x ] && test a = a && [ 1 -lt 2 ]",
                "",
                "",
                0,
            ),
            script("[ a != a ] || [ 3 -eq 4 ]", "", "", 1),
            script("[ 1 -gt x ]", "", "sh: 1: [: Illegal number: x\n", 2),
            script("[ 1 = 1", "", "sh: 1: [: missing ]\n", 2),
            script("test ! -d /nonexistent -a -d /", "", "", 0),
            // seq / basename / dirname / uname
            case(&["seq", "3"], "1\n2\n3\n", "", 0),
            case(&["seq", "2", "4"], "2\n3\n4\n", "", 0),
            case(&["seq", "5", "-2", "1"], "5\n3\n1\n", "", 0),
            script(
                "basename /a/b.txt .txt; dirname /a/b.txt; dirname x",
                "b\n/a\n.\n",
                "",
                0,
            ),
            case(&["uname"], "Linux\n", "", 0),
            // sleep
            case(&["sleep", "x"], "", "sleep: invalid time interval 'x'\n", 1),
            case(&["sleep"], "", "sleep: missing operand\n", 1),
            script("sleep 0.5 && sleep 1m && echo done", "done\n", "", 0),
            script("sleep infinity & echo bg", "bg\n", "", 0),
            // unknown commands
            case(&["ls", "-la", "/"], "ls -la /\n", "", 0),
            script("exec ls /tmp", "ls /tmp\n", "", 0),
            case(
                &["env", "FOO=1", "python", "app.py"],
                "python app.py\n",
                "",
                0,
            ),
            script(
                "env python3 -V",
                "",
                "env: 'python3': No such file or directory\n",
                127,
            ),
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
            case(
                &["sh", "script.sh"],
                "",
                "sh: 0: cannot open script.sh: No such file\n",
                2,
            ),
            case(&["sh", "-c"], "", "sh: 0: -c requires an argument\n", 2),
            case(&[], "", "exec: no command specified\n", 127),
            // misc builtins
            script(": ; true; echo $?", "0\n", "", 0),
            script(
                "echo $(echo \")\") \"$(echo $(echo nested))\"",
                ") nested\n",
                "",
                0,
            ),
            script("printf '%s %s\\n' a b c", "a b\nc \n", "", 0),
            script(
                "set -- 1 2 3 4 5 6 7 8 9 ten; echo ${10} $9",
                "ten 9\n",
                "",
                0,
            ),
            script(
                "echo hi | cat | cat; exit 3 | echo a; false | true",
                "hi\na\n",
                "",
                0,
            ),
            script("X=1 | true; echo [$X]", "[]\n", "", 0),
            script(
                "echo bg & nosuch & echo $?; exit 9 & echo alive",
                "bg\n0\nalive\n",
                "sh: 1: nosuch: not found\n",
                0,
            ),
            script(
                "echo ${X:-$HOME} ${X:-a   b} \"${X:-a   b}\"",
                "/root a b a   b\n",
                "",
                0,
            ),
            script("echo a\r\necho b\r\n", "a\nb\n", "", 0),
            script("  # only a comment\n\n", "", "", 0),
            script("[ -n x -a -z x -o 1 = 1 ] && echo prec", "prec\n", "", 0),
            script(
                "exec nginx -g 'daemon off;'",
                "nginx -g daemon off;\n",
                "",
                0,
            ),
            script("echo `echo \\`echo inner\\``", "inner\n", "", 0),
            script("X=1; unset X; echo [$X]", "[]\n", "", 0),
            script("command -v echo; command -v nginx", "echo\n", "", 1),
            script("A=a\\\nb; echo $A", "ab\n", "", 0),
        ];
        assert!(cases.len() >= 40);
        let ctx = ctx();
        let mut failures = Vec::new();
        for c in cases {
            let argv: Vec<&str> = c.argv.iter().map(String::as_str).collect();
            let got = run_with(&argv, UnknownCommand::Echo, &ctx, None).await;
            let want = (c.out.to_string(), c.err.to_string(), c.status);
            if got != want {
                failures.push(format!(
                    "argv {:?}\n   got {got:?}\n  want {want:?}",
                    c.argv
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[tokio::test]
    async fn users() {
        let cases = [
            ("", "uid=0(root) gid=0(root) groups=0(root)\n", Ok("root")),
            ("0", "uid=0(root) gid=0(root) groups=0(root)\n", Ok("root")),
            ("1000", "uid=1000 gid=1000 groups=1000\n", Err(1000)),
            ("1000:1000", "uid=1000 gid=1000 groups=1000\n", Err(1000)),
            ("1000:50", "uid=1000 gid=50 groups=50\n", Err(1000)),
            (
                "nobody",
                "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n",
                Ok("nobody"),
            ),
            (
                "app",
                "uid=1000(app) gid=1000(app) groups=1000(app)\n",
                Ok("app"),
            ),
            (
                "app:staff",
                "uid=1000(app) gid=1000(staff) groups=1000(staff)\n",
                Ok("app"),
            ),
            (
                "www-data",
                "uid=33(www-data) gid=33(www-data) groups=33(www-data)\n",
                Ok("www-data"),
            ),
        ];
        for (user, id_out, whoami) in cases {
            let ctx = ProcessContext {
                user: user.into(),
                ..ProcessContext::default()
            };
            let got = run_with(&["id"], UnknownCommand::Echo, &ctx, None).await;
            assert_eq!(
                got,
                (id_out.to_string(), String::new(), 0),
                "id for {user:?}"
            );
            let got = run_with(&["whoami"], UnknownCommand::Echo, &ctx, None).await;
            let want = match whoami {
                Ok(name) => (format!("{name}\n"), String::new(), 0),
                Err(uid) => (
                    String::new(),
                    format!("whoami: cannot find name for user ID {uid}\n"),
                    1,
                ),
            };
            assert_eq!(got, want, "whoami for {user:?}");
        }
        let ctx = ProcessContext {
            user: "1000".into(),
            ..ProcessContext::default()
        };
        let got = run_with(&["id", "-u"], UnknownCommand::Echo, &ctx, None).await;
        assert_eq!(got.0, "1000\n");
    }

    #[tokio::test]
    async fn working_dir_and_env() {
        let ctx = ProcessContext {
            working_dir: "/app".into(),
            env: vec!["A=1".into(), "B=x=y".into(), "JUNK".into()],
            ..ProcessContext::default()
        };
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (vec!["pwd"], "/app\n"),
            (
                vec!["sh", "-c", "pwd; echo $PWD; cd ..; pwd"],
                "/app\n/app\n/\n",
            ),
            (vec!["env"], "A=1\nB=x=y\n"),
            (vec!["env", "C=3"], "A=1\nB=x=y\nC=3\n"),
            (vec!["env", "-u", "A"], "B=x=y\n"),
            (
                vec!["sh", "-c", "X=9 env; echo [$X]"],
                "A=1\nB=x=y\nX=9\n[]\n",
            ),
            (vec!["sh", "-c", "export A=2 C; env"], "A=2\nB=x=y\n"),
        ];
        for (argv, want) in cases {
            let got = run_with(&argv, UnknownCommand::Echo, &ctx, None).await;
            assert_eq!(got, (want.to_string(), String::new(), 0), "{argv:?}");
        }
    }

    #[tokio::test]
    async fn stdin_driven() {
        type StdinCase = (
            Vec<&'static str>,
            Vec<&'static str>,
            &'static str,
            &'static str,
            i32,
        );
        let cases: Vec<StdinCase> = vec![
            (
                vec!["cat"],
                vec!["hello ", "world\n"],
                "hello world\n",
                "",
                0,
            ),
            (vec!["cat", "-"], vec!["x"], "x", "", 0),
            (vec!["sh"], vec!["echo a\nexit 4\n"], "a\n", "", 4),
            (
                vec!["/bin/sh"],
                vec!["echo a\n", "echo b; false\n"],
                "a\nb\n",
                "",
                1,
            ),
            (
                vec!["bash", "-s"],
                vec!["echo 'multi\n", "line'\n"],
                "multi\nline\n",
                "",
                0,
            ),
            (vec!["sh"], vec!["echo a &&\n", "echo b\n"], "a\nb\n", "", 0),
            (vec!["sh"], vec!["echo x \\\n", "y\n"], "x y\n", "", 0),
            (
                vec!["sh"],
                vec!["echo 'open"],
                "",
                "sh: 1: syntax error: unterminated quoted string\n",
                2,
            ),
            (
                vec!["sh"],
                vec!["echo 1\n", "echo 2\n", "nosuch\n"],
                "1\n2\n",
                "sh: 3: nosuch: not found\n",
                127,
            ),
            (vec!["sh", "-e"], vec!["false\n", "echo no\n"], "", "", 1),
            (
                vec!["sh"],
                vec!["read A B\n", "x y z\n", "echo $B; cat\n", "rest\n"],
                "y z\nrest\n",
                "",
                0,
            ),
            (
                vec!["sh"],
                vec!["echo no newline at end"],
                "no newline at end\n",
                "",
                0,
            ),
            (vec!["sh"], vec![], "", "", 0),
            (vec!["head", "-n", "1"], vec!["a\nb\n"], "a\n", "", 0),
            (vec!["tail", "-1"], vec!["a\nb\n"], "b\n", "", 0),
        ];
        for (argv, chunks, out, err, status) in cases {
            let got = run_with(
                &argv,
                UnknownCommand::Echo,
                &ProcessContext::default(),
                Some(&chunks),
            )
            .await;
            assert_eq!(
                got,
                (out.to_string(), err.to_string(), status),
                "{argv:?} <- {chunks:?}"
            );
        }
        // No stdin at all: immediate EOF.
        let got = run_with(
            &["sh"],
            UnknownCommand::Echo,
            &ProcessContext::default(),
            None,
        )
        .await;
        assert_eq!(got, (String::new(), String::new(), 0));
    }

    /// A bare shell runs each line as soon as it arrives.
    #[tokio::test]
    async fn stdin_lines_run_as_they_arrive() {
        let program = Program::parse(&["sh".to_string()], UnknownCommand::RunForever);
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (itx, irx) = mpsc::channel(4);
        let mut io = ProcessIo {
            stdin: Some(irx),
            output: tx,
        };
        let ctx = ProcessContext {
            open_stdin: true,
            ..ProcessContext::default()
        };
        assert!(program.runs_forever(&ctx));
        let handle = tokio::spawn(async move { program.run(&ctx, &mut io).await });
        itx.send(Bytes::from_static(b"echo first\n"))
            .await
            .expect("send");
        let (stream, bytes) = rx.recv().await.expect("output");
        assert_eq!((stream, &bytes[..]), (StdStream::Stdout, &b"first\n"[..]));
        itx.send(Bytes::from_static(b"echo second >&2; exit 5\n"))
            .await
            .expect("send");
        let (stream, bytes) = rx.recv().await.expect("output");
        assert_eq!((stream, &bytes[..]), (StdStream::Stderr, &b"second\n"[..]));
        assert_eq!(handle.await.expect("join"), 5);
    }

    #[tokio::test(start_paused = true)]
    async fn sleeping() {
        let ctx = ProcessContext::default();
        let start = tokio::time::Instant::now();
        let got = run_with(&["sleep", "5"], UnknownCommand::RunForever, &ctx, None).await;
        assert_eq!(got.2, 0);
        assert_eq!(start.elapsed(), Duration::from_secs(5));

        let durations = [
            ("1.5", Some(1500)),
            ("2s", Some(2000)),
            ("1m", Some(60_000)),
            ("1h", Some(3_600_000)),
            ("1d", Some(86_400_000)),
            ("infinity", None),
            ("inf", None),
        ];
        for (arg, ms) in durations {
            let want = ms.map(Duration::from_millis);
            assert_eq!(parse_sleep(arg), Ok(want), "{arg}");
        }
        assert_eq!(parse_sleep("-1"), Err(()));
        assert_eq!(parse_sleep("nan"), Err(()));
        assert_eq!(parse_sleep("1y"), Err(()));

        let forever: Vec<Vec<&str>> = vec![
            vec!["sleep", "infinity"],
            vec!["tail", "-f", "/dev/null"],
            vec!["nginx", "-g", "daemon off;"],
            vec!["sh", "-c", "echo started; sleep infinity"],
            vec!["sh", "-c", "exec postgres"],
            vec!["sh", "-c", "sleep 1 && tail -F /var/log/x"],
        ];
        for argv in forever {
            let owned: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
            assert!(
                Program::parse(&owned, UnknownCommand::RunForever).runs_forever(&ctx),
                "{argv:?}"
            );
            let res = tokio::time::timeout(
                Duration::from_secs(365 * 86_400),
                run_with(&argv, UnknownCommand::RunForever, &ctx, None),
            )
            .await;
            assert!(res.is_err(), "{argv:?} completed");
        }
    }

    #[test]
    fn runs_forever_hints() {
        let open = ProcessContext {
            open_stdin: true,
            ..ProcessContext::default()
        };
        let closed = ProcessContext::default();
        let cases: Vec<(Vec<&str>, UnknownCommand, &ProcessContext, bool)> = vec![
            (
                vec!["sleep", "infinity"],
                UnknownCommand::Echo,
                &closed,
                true,
            ),
            (
                vec!["sleep", "10"],
                UnknownCommand::RunForever,
                &closed,
                false,
            ),
            (
                vec!["tail", "-f", "/dev/null"],
                UnknownCommand::Echo,
                &closed,
                true,
            ),
            (
                vec!["tail", "/dev/null"],
                UnknownCommand::Echo,
                &closed,
                false,
            ),
            (vec!["nginx"], UnknownCommand::RunForever, &closed, true),
            (vec!["nginx"], UnknownCommand::Echo, &closed, false),
            (vec!["sh"], UnknownCommand::Echo, &open, true),
            (vec!["/bin/bash"], UnknownCommand::Echo, &closed, false),
            (vec!["sh", "-i"], UnknownCommand::Echo, &open, true),
            (vec!["cat"], UnknownCommand::Echo, &open, true),
            (vec!["cat"], UnknownCommand::Echo, &closed, false),
            (
                vec!["sh", "-c", "sleep infinity"],
                UnknownCommand::Echo,
                &closed,
                true,
            ),
            (
                vec!["sh", "-c", "echo hi"],
                UnknownCommand::RunForever,
                &closed,
                false,
            ),
            (
                vec!["sh", "-c", "nginx"],
                UnknownCommand::RunForever,
                &closed,
                false,
            ),
            (
                vec!["sh", "-c", "exit 1; sleep infinity"],
                UnknownCommand::Echo,
                &closed,
                false,
            ),
            (
                vec!["sh", "-c", "'unterminated"],
                UnknownCommand::RunForever,
                &closed,
                false,
            ),
            (
                vec!["env", "A=1", "redis-server"],
                UnknownCommand::RunForever,
                &closed,
                true,
            ),
            (vec![], UnknownCommand::RunForever, &closed, false),
        ];
        for (argv, unknown, ctx, want) in cases {
            let owned: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
            assert_eq!(
                Program::parse(&owned, unknown).runs_forever(ctx),
                want,
                "{argv:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn cancelling_is_safe_and_futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let program = Program::parse(&sh("cat; echo done"), UnknownCommand::Echo);
        let (tx, _rx) = mpsc::unbounded_channel();
        let (itx, irx) = mpsc::channel(1);
        let mut io = ProcessIo {
            stdin: Some(irx),
            output: tx,
        };
        let ctx = ProcessContext::default();
        {
            let fut = program.run(&ctx, &mut io);
            assert_send(&fut);
            let res = tokio::time::timeout(Duration::from_millis(10), fut).await;
            assert!(res.is_err());
        }
        // The stdin channel is intact after cancellation.
        drop(itx);
        assert!(io.stdin.as_mut().expect("stdin").recv().await.is_none());
    }

    #[test]
    fn parse_errors_and_unknown_policy() {
        let p = Program::parse(&sh("echo \"x"), UnknownCommand::Echo);
        assert!(
            matches!(&p.kind, Kind::Shell(inv) if matches!(&inv.source, Source::Script(Err(e)) if e.incomplete))
        );
        let p = Program::parse(&sh("echo x)"), UnknownCommand::Echo);
        assert!(
            matches!(&p.kind, Kind::Shell(inv) if matches!(&inv.source, Source::Script(Err(e)) if !e.incomplete))
        );
        let p = Program::parse(&["ls".to_string()], UnknownCommand::RunForever);
        assert!(matches!(&p.kind, Kind::Argv(_)));
    }

    #[test]
    fn helpers() {
        assert_eq!(normalize_path("/a/b", "../c/./d"), "/a/c/d");
        assert_eq!(normalize_path("/", ".."), "/");
        assert_eq!(dirname("/"), "/");
        assert_eq!(dirname("a/b/"), "a");
        assert_eq!(parse_int("0x10"), Ok(16));
        assert_eq!(parse_int("010"), Ok(8));
        assert_eq!(parse_int("'A"), Ok(65));
        assert_eq!(parse_int("-5"), Ok(-5));
        assert!(continues_line("a \\\n"));
        assert!(!continues_line("a \\\\\n"));
        assert_eq!(printf("%e", &["1234.5".into()]).0, "1.234500e+03");
        assert_eq!(printf("%b", &["a\\nb\\c".into(), "x".into()]).0, "a\nb");
        assert_eq!(printf("%5.1s|", &["xyz".into()]).0, "    x|");
    }
}
