//! The syntax tree of a script, its parse error, and small questions about
//! words (is it a literal? an assignment?).
//!
//! A script is a list of and-or lists of pipelines of commands (simple,
//! compound, function definitions); a [`Word`] is a list of [`Part`]s, so
//! quoting and expansions survive parsing.

use std::sync::Arc;

/// A syntax error, reported as `NAME: syntax error: MESSAGE` (with the
/// line in a script file: `NAME: line N: syntax error: MESSAGE`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct ParseError {
    pub(crate) message: String,
    pub(crate) line: usize,
    /// More input could complete the script (unterminated quote, `a &&`…).
    pub(crate) incomplete: bool,
}

/// The result of lexing or parsing.
pub(crate) type PResult<T> = Result<T, ParseError>;

/// A whole script: its items run in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Script {
    pub(crate) items: Vec<Item>,
}

/// An and-or list ended by `;`, a newline or `&` (background).
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) and_or: AndOr,
    pub(crate) background: bool,
}

/// `a && b || c`: pipelines joined by connectors.
#[derive(Debug, Clone)]
pub(crate) struct AndOr {
    pub(crate) first: Pipeline,
    pub(crate) rest: Vec<(Connector, Pipeline)>,
}

/// `&&` or `||`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Connector {
    And,
    Or,
}

/// `[!] a | b | …`.
#[derive(Debug, Clone)]
pub(crate) struct Pipeline {
    pub(crate) negate: bool,
    pub(crate) commands: Vec<Command>,
}

/// One stage of a pipeline.
#[derive(Debug, Clone)]
pub(crate) enum Command {
    Simple(Simple),
    /// A compound command and its redirections, on the line it starts.
    Compound(Arc<Compound>, Vec<Redir>, usize),
    /// `name() body`: the body is shared with the shell's function table.
    FuncDef(String, Arc<FuncBody>),
}

impl Command {
    /// The line the command starts on.
    pub(crate) fn line(&self) -> usize {
        match self {
            Command::Simple(s) => s.line,
            Command::Compound(_, _, line) => *line,
            Command::FuncDef(_, body) => body.line,
        }
    }
}

/// A function's body: a compound command with its redirections.
#[derive(Debug, Clone)]
pub(crate) struct FuncBody {
    pub(crate) body: Arc<Compound>,
    pub(crate) redirs: Vec<Redir>,
    pub(crate) line: usize,
}

/// A compound command.
#[derive(Debug, Clone)]
pub(crate) enum Compound {
    /// `{ …; }`
    Group(Script),
    /// `( … )`
    Subshell(Script),
    /// `if c; then …; elif c; then …; else …; fi`
    If {
        arms: Vec<(Script, Script)>,
        otherwise: Option<Script>,
    },
    /// `for NAME [in WORDS]; do …; done` (`None`: over `"$@"`).
    For {
        name: String,
        words: Option<Vec<Word>>,
        body: Script,
    },
    /// `while c; do …; done`, or `until` when `until` is set.
    While {
        until: bool,
        cond: Script,
        body: Script,
    },
    /// `case WORD in pat|pat) …;; esac`
    Case { word: Word, arms: Vec<CaseArm> },
}

/// One arm of a `case`: its patterns and its commands.
#[derive(Debug, Clone)]
pub(crate) struct CaseArm {
    pub(crate) patterns: Vec<Word>,
    pub(crate) body: Script,
}

/// A simple command: assignments, words and redirections, on a line.
#[derive(Debug, Clone)]
pub(crate) struct Simple {
    pub(crate) assigns: Vec<(String, Word)>,
    pub(crate) words: Vec<Word>,
    pub(crate) redirs: Vec<Redir>,
    pub(crate) line: usize,
}

/// A redirection: `[fd]OP target`.
#[derive(Debug, Clone)]
pub(crate) struct Redir {
    pub(crate) fd: Option<u32>,
    pub(crate) op: RedirOp,
    pub(crate) target: Word,
}

/// The operator of a redirection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RedirOp {
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
    /// `<<`, `<<-`: the target is the document's body.
    HereDoc,
}

/// A word: parts that expand and concatenate.
pub(crate) type Word = Vec<Part>;

/// One piece of a word.
#[derive(Debug, Clone)]
pub(crate) enum Part {
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
    /// `$((…))`: the expression's text, expanded, then evaluated.
    Arith {
        expr: Word,
        quoted: bool,
    },
}

/// What `${…}` does with a parameter.
#[derive(Debug, Clone)]
pub(crate) enum ParamOp {
    Plain,
    Length,
    With {
        kind: OpKind,
        colon: bool,
        word: Word,
    },
    /// `${V#p}`, `${V##p}` (prefix), `${V%p}`, `${V%%p}` (suffix): removes
    /// the shortest (or `longest`) match of the pattern.
    Trim {
        suffix: bool,
        longest: bool,
        word: Word,
    },
}

/// `${V-w}` (default), `${V=w}` (assign), `${V+w}` (alternative),
/// `${V?w}` (error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpKind {
    Default,
    Assign,
    Alt,
    Error,
}

/// Whether `s` is a valid variable name.
pub(crate) fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// `NAME=value` at the start of a word.
pub(crate) fn as_assignment(word: &Word) -> Option<(String, Word)> {
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
pub(crate) fn literal(word: &Word) -> Option<String> {
    let mut s = String::new();
    for part in word {
        match part {
            Part::Lit(t) | Part::Quoted(t) => s.push_str(t),
            _ => return None,
        }
    }
    Some(s)
}
