//! Sensitive-word filter for group moderation.
//!
//! A [`Filter`] is built once from a list of [`Entry`]s (a global list and a
//! per-chat list merged with [`FilterBuilder`]), then checks any number of
//! messages, from any number of threads (`Filter<A>` is `Send + Sync` when
//! `A` is; share it through an `Arc`). Each entry carries an action of the
//! caller's choosing (`A`: the ready-made [`Action`], a `u32` tag, …); the
//! crate knows nothing of Telegram.
//!
//! ```
//! use groupcart_wordfilter::{Action, Entry, Filter};
//!
//! let filter = Filter::new([
//!     Entry::new("free money", Action::Delete),
//!     Entry::parse("<ass>", Action::Warn), // <…> = whole word
//!     Entry::new("傻逼", Action::Mute),
//! ])
//! .unwrap();
//!
//! let text = "get F*R*E*E  m-o-n-e-y now";
//! let hits = filter.find_all(text);
//! assert_eq!(hits[0].excerpt(text), "F*R*E*E  m-o-n-e-y");
//! assert!(filter.find_all("first class").is_empty());
//! assert_eq!(filter.strictest("你个傻 逼, ass").unwrap().action(), &Action::Mute);
//! ```
//!
//! # How matching works
//!
//! List entries and messages go through the same normalization pipeline,
//! one original character at a time, and an Aho-Corasick automaton over the
//! normalized entries scans the normalized message. Every normalized
//! character remembers the byte range of the original character it came
//! from, so a match is reported as a byte range of the *original* message
//! (always on `char` boundaries), ready for an excerpt.
//!
//! ## Normalization pipeline
//!
//! 1. **Invisible characters** are dropped without trace: zero-width
//!    space/joiners, bidi controls, soft hyphen, BOM, variation selectors,
//!    tag characters, Hangul fillers, Arabic tatweel (ـ). Inserting them
//!    inside a word does not split it.
//! 2. **Compatibility decomposition** (NFKD) folds width and presentation
//!    forms: full-width `ＦＲＥＥ` → `FREE`, half-width kana, ligatures
//!    (`ﬁ` → `fi`), circled and mathematical letters, Arabic presentation
//!    forms, superscript digits. Exceptions: Hangul syllables stay whole
//!    (decomposing them into jamo would let `가` match inside `각`) and
//!    Cyrillic `й` keeps its breve (`мой` ≠ `мои`).
//! 3. **Lowercasing** (Unicode `to_lowercase`), plus `ß` → `ss`, `æ` → `ae`,
//!    `œ` → `oe`, Greek final `ς` → `σ`.
//! 4. **Diacritics** are stripped where they are optional or decorative and
//!    a common evasion: the generic combining diacritics blocks (`é` → `e`,
//!    `ё` → `е`, strike-through `s̶p̶a̶m̶`), Arabic harakat, hamza and
//!    Quranic marks (`أ` → `ا`), Hebrew points. Letters with a built-in
//!    stroke (`ø ł đ ħ`) fold to their base letter. Indic and Thai vowel
//!    signs and the kana voicing marks are *kept*: they change the word.
//! 5. **Arabic/Persian spelling folds**: `ى ی` → `ي`, `ک` → `ك`, `ة` → `ه`,
//!    `ٱ` → `ا`.
//! 6. **Look-alike substitutions**, flagged as such: Cyrillic and Greek
//!    letters that look Latin (`а е о р с у х і ј ѕ к м т в н п …`,
//!    `α β ε ι κ ν ο ρ τ υ χ`) and dotless `ı` fold to the Latin letter
//!    (*homoglyphs*); the digits `0→o 1→i 3→e 4→a 5→s 7→t` (also their
//!    full-width forms) and the symbols `$→s @→a !→i |→l` fold to letters
//!    (*leet*). The symbols are letters only in context: `$` when it touches
//!    a Latin letter on either side (`$pam`, `a$$hole`), `@ ! |` only
//!    *between* two Latin letters (`gr@ss`, `v!agra`), so that `free!`,
//!    `!!!`, `$100` and `@username` keep their plain meaning. The table
//!    maps lowercase forms only, so folding stays case-consistent.
//! 7. **Separators** — whitespace, punctuation, other symbols, emoji — are
//!    removed, and the next kept character is marked as following a *gap*.
//!    So `s.p.a.m`, `傻 逼` and `f*r*e*e m-o-n-e-y` become `spam`, `傻逼`,
//!    `freemoney`. Digits other than the leet ones are kept as digits.
//!
//! [`normalize`] shows what a text becomes.
//!
//! ## Acceptance rules (false positives)
//!
//! Removing separators and folding look-alikes catches evasion but also
//! creates accidental matches; four rules reject them. A *boundary* is the
//! start or end of the text, a gap, or any position next to a character of
//! a script written without spaces (CJK, kana, Hangul, Thai, Lao, Khmer,
//! Myanmar, Yi) — those scripts have no word boundaries, so CJK entries
//! always match as substrings, and a Latin word glued to Chinese text counts
//! as a separate word.
//!
//! * **Spacing rule.** A match that spans a gap the entry itself does not
//!   have must start and end on boundaries: `s p a m` and `s.p.a.m` match
//!   `spam`, but `gas pamphlet` (→ `gaspamphlet`) and `buses exit`
//!   (→ `busesexit`, which contains `sex`) do not. Where such a gap is
//!   whitespace, the characters on both sides of it must also stand alone:
//!   spacing out is letter by letter (`f r e e`), while two real words side
//!   by side (`no hi` for an entry `nohi`, `ass hat` for `asshat`) are not
//!   an evasion — so `sp am` is not caught, `sp.am` is. Gaps next to CJK
//!   characters are exempt (`傻 逼`, `我是傻 逼`). Gaps the entry has are
//!   free: `free money` matches inside `carefree money` like a substring.
//! * **Whole-word entries** (see [`MatchMode`]; `<word>` in
//!   [`Entry::parse`]) must start and end on boundaries: `<ass>` matches
//!   `ASS`, `my ass!`, `a.s.s`, `аss` (Cyrillic а), but not `class`,
//!   `assets` or `glass`. Digits count as word characters (`ass1` is not
//!   the word `ass`). Use whole-word mode for short Latin or Cyrillic
//!   words.
//! * **Leet rule.** Let *t* be the number of leet characters in the
//!   matched text and *p* the number in the entry; the match is rejected
//!   when `2·|t − p| > length`. `fr33`, `s3x`, `sh1t`, `$pam`, `a$$hole`
//!   match; a price `$100`, a phone model `A55` (`ass`?) or `5h17` do not.
//!   Digits in the entry itself are honoured: an entry `1488` matches the
//!   text `1488`.
//! * **Script rule.** A match made *only* of look-alikes against an entry
//!   that has none — or the reverse — is rejected: it is a word of the
//!   other language, not an evasion. So the Russian `сор` ("litter") does not
//!   hit an English entry `cop`, and the Latin transliteration `cyka` does
//!   not hit the Russian entry `сука`; mixed spellings (`ѕраm`, `frее`,
//!   `суkа`) do match. The price: an evasion written entirely in look-alikes
//!   (`ѕех`) is not caught.
//!
//! ## Trade-offs and limits
//!
//! * Spaced-out single letters around a short word can still produce a
//!   match (`b a s s` is `<ass>` on boundaries); rare in real messages.
//! * Treating Hangul as unspaced makes Korean entries substring matches
//!   (Korean particles attach to words, so this is usually wanted).
//! * `1` folds to `i`, never to `l`; `rn` is not read as `m`; repeated
//!   letters (`spaaaam`) are not collapsed; no Chinese homophone/pinyin or
//!   traditional/simplified folding. Add such variants as extra entries.
//!
//! ## Performance
//!
//! Normalization is a single pass: ASCII through a `match`, other
//! characters of the common scripts through a table computed once per
//! process (~15k entries, ~300 KiB, a few ms on first use), the rest through
//! the full Unicode lookups. No allocation once the reusable buffers
//! ([`Normalized`], or the thread-local used by [`Filter::find_all`]) have
//! grown. The automaton (aho-corasick's contiguous NFA for large lists) is
//! searched once per message in overlapping mode, and the acceptance rules
//! only run on candidate matches.
//!
//! On a shared 2-core VM, with 100,000 synthetic entries (CJK, Latin,
//! Cyrillic): build ≈ 0.5 s, ≈ 16 MiB; 0.4–0.6 million chat messages of
//! ~100 bytes checked per second on one thread. See `benches/filter.rs` and
//! [`bench::bench_report`].

pub mod bench;
mod normalize;
pub mod synth;

use std::cell::RefCell;
use std::fmt;
use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};

pub use normalize::{normalize, Normalized};
use normalize::{NChar, GAP, HOMOGLYPH, LEET, SPACE, UNSPACED};

/// Longest accepted entry, in normalized characters.
pub const MAX_ENTRY_CHARS: usize = 256;

/// How an entry matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MatchMode {
    /// Anywhere, including inside longer words (`spam` hits `antispam`).
    /// The default; right for CJK and for long or unambiguous words.
    #[default]
    Substring,
    /// Only as a whole word: the match must start and end on a word
    /// boundary (`ass` hits `my ass!` but not `class`). In scripts written
    /// without spaces every position is a boundary, so this behaves like
    /// [`MatchMode::Substring`] there.
    WholeWord,
}

/// A ready-made moderation action, ordered from mildest to strictest so that
/// [`Filter::strictest`] can pick one. Any `A` works; this one is offered
/// for convenience.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Leave the message, warn the sender.
    Warn,
    /// Hide the message until an admin reviews it.
    HoldForReview,
    /// Delete the message.
    Delete,
    /// Delete the message and mute the sender.
    Mute,
    /// Delete the message and ban the sender.
    Ban,
}

/// One word or phrase of a list, with its match mode and action.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry<A> {
    /// The word or phrase as written by the admin (normalized at build).
    pub word: String,
    /// Substring or whole-word.
    pub mode: MatchMode,
    /// What the caller wants done on a match.
    pub action: A,
}

impl<A> Entry<A> {
    /// A substring entry.
    pub fn new(word: impl Into<String>, action: A) -> Self {
        Self {
            word: word.into(),
            mode: MatchMode::Substring,
            action,
        }
    }

    /// A whole-word entry.
    pub fn whole_word(word: impl Into<String>, action: A) -> Self {
        Self {
            word: word.into(),
            mode: MatchMode::WholeWord,
            action,
        }
    }

    /// Parses the list syntax: surrounding whitespace is trimmed, and a word
    /// written between angle brackets, `<ass>`, is a whole-word entry (like
    /// `\<ass\>` in Vim); anything else is a substring entry.
    pub fn parse(spec: &str, action: A) -> Self {
        let spec = spec.trim();
        match spec
            .strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .map(str::trim)
        {
            Some(inner) if !inner.is_empty() => Self::whole_word(inner, action),
            _ => Self::new(spec, action),
        }
    }
}

/// Parses a word list, one [`Entry::parse`] spec per line, all with the same
/// action; blank lines and lines starting with `#` are skipped.
pub fn parse_list<A: Clone>(list: &str, action: A) -> Vec<Entry<A>> {
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| Entry::parse(l, action.clone()))
        .collect()
}

/// Why a filter could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// The entry at `index` has nothing left after normalization (empty,
    /// only punctuation, only invisible characters…).
    EmptyEntry {
        /// Position of the entry in build order.
        index: usize,
        /// The entry as given.
        word: String,
    },
    /// The entry at `index` is longer than [`MAX_ENTRY_CHARS`] normalized
    /// characters.
    EntryTooLong {
        /// Position of the entry in build order.
        index: usize,
        /// Its normalized length in characters.
        chars: usize,
    },
    /// More entries than the filter can index (`u32::MAX - 1`).
    TooManyEntries,
    /// The automaton could not be built (it would exceed internal limits).
    Automaton(aho_corasick::BuildError),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyEntry { index, word } => {
                write!(f, "entry {index} ({word:?}) is empty after normalization")
            }
            Self::EntryTooLong { index, chars } => write!(
                f,
                "entry {index} has {chars} characters, more than {MAX_ENTRY_CHARS}"
            ),
            Self::TooManyEntries => write!(f, "too many entries"),
            Self::Automaton(e) => write!(f, "cannot build the automaton: {e}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Automaton(e) => Some(e),
            _ => None,
        }
    }
}

/// Collects entries — typically a global list then a per-chat list — and
/// builds a [`Filter`]. Entry indices in matches follow insertion order.
#[derive(Clone, Debug)]
pub struct FilterBuilder<A> {
    entries: Vec<Entry<A>>,
}

impl<A> Default for FilterBuilder<A> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
        }
    }
}

impl<A> FilterBuilder<A> {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one entry.
    pub fn entry(mut self, entry: Entry<A>) -> Self {
        self.entries.push(entry);
        self
    }

    /// Adds a list of entries (call once for the global list, once for the
    /// chat's own list; clone a shared global list with
    /// `global.iter().cloned()`).
    pub fn entries(mut self, entries: impl IntoIterator<Item = Entry<A>>) -> Self {
        self.entries.extend(entries);
        self
    }

    /// Builds the filter; fails on the first invalid entry.
    pub fn build(self) -> Result<Filter<A>, BuildError> {
        Filter::compile(self.entries, true).map(|(filter, _)| filter)
    }

    /// Builds the filter, skipping invalid entries (they keep their index but
    /// never match) and returning why each was skipped. Handy for large
    /// lists edited by hand, where one stray `!!!` line should not disable
    /// the whole list.
    pub fn build_lenient(self) -> Result<(Filter<A>, Vec<BuildError>), BuildError> {
        Filter::compile(self.entries, false)
    }
}

/// Per-entry data derived at build time.
#[derive(Clone, Debug)]
struct Meta {
    whole_word: bool,
    /// Leet-substituted characters in the normalized entry.
    leet: u32,
    /// Look-alike (Cyrillic/Greek → Latin) characters in the normalized entry.
    homoglyphs: u32,
    /// Offsets (in normalized characters, ascending) of the entry's own gaps.
    gaps: Box<[u32]>,
    /// Next entry sharing the same normalized pattern, or `NONE`.
    next: u32,
}

const NONE: u32 = u32::MAX;

/// A built, immutable word filter. See the crate docs for the rules.
#[derive(Clone, Debug)]
pub struct Filter<A> {
    ac: Option<AhoCorasick>,
    entries: Vec<Entry<A>>,
    meta: Vec<Meta>,
    /// First entry of each automaton pattern (entries with the same
    /// normalized form share a pattern and are chained through `Meta::next`).
    first: Vec<u32>,
}

/// One accepted match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match<'f, A> {
    /// Index of the entry, in build order.
    pub index: usize,
    /// The entry that matched.
    pub entry: &'f Entry<A>,
    /// Byte range in the original text, on `char` boundaries.
    pub range: Range<usize>,
}

impl<'f, A> Match<'f, A> {
    /// The entry's action.
    pub fn action(&self) -> &'f A {
        &self.entry.action
    }

    /// The matched part of `text` (the text that was searched); empty if
    /// another text is passed and the range does not fit it.
    pub fn excerpt<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.range.clone()).unwrap_or("")
    }
}

thread_local! {
    static SCRATCH: RefCell<Normalized> = RefCell::new(Normalized::new());
}

/// Runs `f` on `text` normalized into the thread-local scratch buffer, or
/// into a fresh one if that is unavailable (re-entrancy, thread teardown).
fn with_normalized<R>(text: &str, f: impl Fn(&Normalized) -> R) -> R {
    SCRATCH
        .try_with(|cell| {
            let mut n = cell.try_borrow_mut().ok()?;
            n.set(text);
            let r = f(&n);
            n.shrink_if_huge();
            Some(r)
        })
        .ok()
        .flatten()
        .unwrap_or_else(|| f(&Normalized::of(text)))
}

impl<A> Filter<A> {
    /// Builds a filter from entries; fails on the first invalid entry.
    pub fn new(entries: impl IntoIterator<Item = Entry<A>>) -> Result<Self, BuildError> {
        FilterBuilder::new().entries(entries).build()
    }

    /// A builder, to merge a global and a per-chat list.
    pub fn builder() -> FilterBuilder<A> {
        FilterBuilder::new()
    }

    fn compile(
        entries: Vec<Entry<A>>,
        strict: bool,
    ) -> Result<(Self, Vec<BuildError>), BuildError> {
        if entries.len() >= NONE as usize {
            return Err(BuildError::TooManyEntries);
        }
        let mut norm = Normalized::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut first: Vec<u32> = Vec::new();
        let mut last: Vec<u32> = Vec::new();
        let mut ids: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        let mut meta = Vec::with_capacity(entries.len());
        let mut errors = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            norm.set(&entry.word);
            let chars = norm.chars();
            let error = if chars.is_empty() {
                Some(BuildError::EmptyEntry {
                    index,
                    word: entry.word.clone(),
                })
            } else if chars.len() > MAX_ENTRY_CHARS {
                Some(BuildError::EntryTooLong {
                    index,
                    chars: chars.len(),
                })
            } else {
                None
            };
            let mut m = Meta {
                whole_word: entry.mode == MatchMode::WholeWord,
                leet: 0,
                homoglyphs: 0,
                gaps: Box::default(),
                next: NONE,
            };
            if let Some(e) = error {
                if strict {
                    return Err(e);
                }
                errors.push(e);
                meta.push(m);
                continue;
            }
            m.leet = count(chars, LEET) as u32;
            m.homoglyphs = count(chars, HOMOGLYPH) as u32;
            m.gaps = (1..chars.len())
                .filter(|&k| chars[k].flags & GAP != 0)
                .map(|k| k as u32)
                .collect();
            meta.push(m);
            let eid = index as u32;
            match ids.get(norm.as_str()) {
                Some(&pid) => {
                    let tail = last[pid as usize];
                    meta[tail as usize].next = eid;
                    last[pid as usize] = eid;
                }
                None => {
                    ids.insert(norm.as_str().to_owned(), patterns.len() as u32);
                    patterns.push(norm.as_str().to_owned());
                    first.push(eid);
                    last.push(eid);
                }
            }
        }
        drop(ids);
        let ac = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .map_err(BuildError::Automaton)?,
            )
        };
        Ok((
            Self {
                ac,
                entries,
                meta,
                first,
            },
            errors,
        ))
    }

    /// All accepted matches in `text`, sorted by start offset (then end,
    /// then entry index). Overlapping matches are all reported.
    pub fn find_all(&self, text: &str) -> Vec<Match<'_, A>> {
        with_normalized(text, |n| self.find_in(n))
    }

    /// Like [`Filter::find_all`], on a text normalized beforehand (to check
    /// one message against several filters with a single normalization).
    /// Ranges refer to the text given to [`Normalized::set`].
    pub fn find_in(&self, normalized: &Normalized) -> Vec<Match<'_, A>> {
        let mut out = Vec::new();
        self.scan(normalized, |m| {
            out.push(m);
            true
        });
        if out.len() > 1 {
            out.sort_by_key(|m| (m.range.start, m.range.end, m.index));
            // One original character can yield several normalized ones
            // (ß → ss), so two normalized matches may map to one range.
            out.dedup_by(|a, b| a.index == b.index && a.range == b.range);
        }
        out
    }

    /// Whether `text` has any accepted match (stops at the first one).
    pub fn is_match(&self, text: &str) -> bool {
        with_normalized(text, |n| self.is_match_in(n))
    }

    /// Like [`Filter::is_match`], on a text normalized beforehand.
    pub fn is_match_in(&self, normalized: &Normalized) -> bool {
        let mut found = false;
        self.scan(normalized, |_| {
            found = true;
            false
        });
        found
    }

    /// The match with the strictest action (the greatest `A`), the earliest
    /// one among equals; `None` if nothing matches.
    pub fn strictest(&self, text: &str) -> Option<Match<'_, A>>
    where
        A: Ord,
    {
        self.find_all(text)
            .into_iter()
            .reduce(|best, m| if m.action() > best.action() { m } else { best })
    }

    /// The entries, in build order (including skipped invalid ones).
    pub fn entries(&self) -> &[Entry<A>] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the filter has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of distinct normalized patterns in the automaton.
    pub fn pattern_count(&self) -> usize {
        self.first.len()
    }

    /// Approximate heap memory used by the filter, in bytes (automaton plus
    /// entries; the heap owned by `A` itself is not counted).
    pub fn memory_usage(&self) -> usize {
        let ac = self.ac.as_ref().map_or(0, AhoCorasick::memory_usage);
        let entries = self.entries.capacity() * std::mem::size_of::<Entry<A>>()
            + self
                .entries
                .iter()
                .map(|e| e.word.capacity())
                .sum::<usize>();
        let meta = self.meta.capacity() * std::mem::size_of::<Meta>()
            + self.meta.iter().map(|m| m.gaps.len() * 4).sum::<usize>();
        ac + entries + meta + self.first.capacity() * 4
    }

    /// Calls `f` on every accepted match until it returns `false`.
    fn scan<'f>(&'f self, norm: &Normalized, mut f: impl FnMut(Match<'f, A>) -> bool) {
        let Some(ac) = &self.ac else {
            return;
        };
        let chars = norm.chars();
        for m in ac.find_overlapping_iter(norm.as_str()) {
            let cs = norm.char_index(m.start());
            let ce = norm.char_index(m.end());
            if cs >= ce || ce > chars.len() {
                continue;
            }
            let mut eid = self.first[m.pattern().as_usize()];
            while eid != NONE {
                let meta = &self.meta[eid as usize];
                if accept(meta, chars, cs, ce) {
                    let found = Match {
                        index: eid as usize,
                        entry: &self.entries[eid as usize],
                        range: chars[cs].start..chars[ce - 1].end,
                    };
                    if !f(found) {
                        return;
                    }
                }
                eid = meta.next;
            }
        }
    }
}

/// Number of characters in `chars` with `flag`.
fn count(chars: &[NChar], flag: u8) -> usize {
    chars.iter().filter(|c| c.flags & flag != 0).count()
}

/// Whether normalized position `i` (between characters `i - 1` and `i`) is a
/// word boundary.
fn boundary(chars: &[NChar], i: usize) -> bool {
    if i == 0 || i >= chars.len() {
        return true;
    }
    let (before, after) = (chars[i - 1].flags, chars[i].flags);
    after & GAP != 0 || (before | after) & UNSPACED != 0
}

/// The acceptance rules of the crate docs for a candidate covering
/// normalized characters `cs..ce`.
fn accept(meta: &Meta, chars: &[NChar], cs: usize, ce: usize) -> bool {
    let span = &chars[cs..ce];
    let n = span.len();
    // Leet rule: at most half of the match may differ from the entry in
    // leet substitutions.
    if count(span, LEET).abs_diff(meta.leet as usize) * 2 > n {
        return false;
    }
    // Script rule: a match written wholly in look-alikes of an entry that has
    // none (or the reverse) is another language's word, not an evasion.
    let homoglyphs = count(span, HOMOGLYPH);
    let entry_homoglyphs = meta.homoglyphs as usize;
    if (homoglyphs == n && entry_homoglyphs == 0) || (homoglyphs == 0 && entry_homoglyphs == n) {
        return false;
    }
    // Walk the segments (runs between gaps) of the span, looking for gaps
    // the entry does not have.
    let mut extra_gap = false;
    let mut seg_start = 0;
    let mut prev_seg = 0;
    let mut check_spacing = false;
    for k in 1..=n {
        let gap = match span.get(k) {
            Some(c) if c.flags & GAP != 0 => c.flags,
            Some(_) => continue,
            None => 0,
        };
        let seg = k - seg_start;
        // Spacing out with whitespace is letter by letter ("s p a m"); two
        // real words side by side ("no hi" for "nohi") are not an evasion.
        if check_spacing && (prev_seg != 1 || seg != 1) {
            return false;
        }
        check_spacing = false;
        if gap != 0 && meta.gaps.binary_search(&(k as u32)).is_err() {
            extra_gap = true;
            let unspaced = (span[k - 1].flags | span[k].flags) & UNSPACED != 0;
            check_spacing = gap & SPACE != 0 && !unspaced;
        }
        prev_seg = seg;
        seg_start = k;
    }
    if meta.whole_word || extra_gap {
        boundary(chars, cs) && boundary(chars, ce)
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn filter_is_send_sync() {
        assert_send_sync::<Filter<Action>>();
        assert_send_sync::<Filter<u32>>();
    }

    #[test]
    fn parse_syntax() {
        assert_eq!(Entry::parse(" <ass> ", 1).mode, MatchMode::WholeWord);
        assert_eq!(Entry::parse("<ass>", 1).word, "ass");
        assert_eq!(Entry::parse("<>", 1).mode, MatchMode::Substring);
        assert_eq!(Entry::parse("spam", 1).mode, MatchMode::Substring);
        let list = parse_list("# comment\nspam\n\n<ass>\n", 0u32);
        assert_eq!(list.len(), 2);
    }

    #[test]
    fn errors() {
        let e = Filter::new([Entry::new("ok", 0), Entry::new("!!!", 1)]).unwrap_err();
        assert!(matches!(e, BuildError::EmptyEntry { index: 1, .. }));
        let (f, errs) = Filter::builder()
            .entries([Entry::new(" ", 0), Entry::new("spam", 1)])
            .build_lenient()
            .unwrap();
        assert_eq!(errs.len(), 1);
        assert_eq!(f.find_all("spam")[0].index, 1);
        let long = "a".repeat(MAX_ENTRY_CHARS + 1);
        assert!(matches!(
            Filter::new([Entry::new(long, 0)]),
            Err(BuildError::EntryTooLong { .. })
        ));
    }

    #[test]
    fn empty_filter() {
        let f: Filter<u32> = Filter::new([]).unwrap();
        assert!(f.find_all("anything").is_empty());
        assert!(!f.is_match(""));
    }
}
