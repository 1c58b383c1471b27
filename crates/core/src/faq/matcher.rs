//! Matching a customer's free-text question against the shop's FAQ entries.
//!
//! This module owns the text side of the FAQ: how questions are normalized and cut into terms,
//! how terms are weighted, how typos are forgiven and how a match becomes a confidence. It is
//! pure: no I/O, no storage, no async, no clock. The caller loads the entries, builds an
//! [`Index`] once (and again whenever the FAQ changes), shares it (cloning is cheap) and decides
//! with [`Match::confidence`] whether to answer, suggest or hand over to a human.
//!
//! # How text is read
//!
//! - **Normalization.** Unicode NFKC (full-width `ｉＰｈｏｎｅ` becomes `iphone`), lower case, and
//!   Latin diacritics folded (`devolución` → `devolucion`, `ß` → `ss`) so customers who type
//!   without accents still match. Punctuation, symbols, emoji, whitespace and control characters
//!   all separate terms. Traditional and Simplified Chinese are *not* unified.
//! - **Terms.** Scripts written with spaces (Latin, Cyrillic, Arabic…) give one term per word.
//!   Scripts written without spaces (Han, kana, Hangul, Thai…) give, per run of characters, its
//!   character bigrams plus its single characters at a low weight; `iPhone 手机壳多少钱` thus
//!   gives `iphone`, `手机`, `机壳`, `壳多`, `多少`, `少钱`, `手`, `机`… Word order never matters:
//!   an entry question and the customer's question are compared as sets of terms.
//! - **Weights.** Each term weighs its inverse document frequency over the entries (BM25's
//!   `ln(1 + (N − df + ½) / (df + ½))`), so rare, meaningful terms dominate. Very common words
//!   (`how`, `the`, `de`, `que`, `怎么`…) are not required, only weigh little.
//! - **Typos.** A customer word missing from the index vocabulary is compared with the
//!   vocabulary: restricted Damerau-Levenshtein distance ≤ 1 for words of 4–7 letters and ≤ 2
//!   from 8 letters (`shiping` ≈ `shipping`, `refnd` ≈ `refund`), found through a letter-bigram
//!   index rather than a scan. Inflections (`orders` ≈ `order`, `taxes` ≈ `tax`, `pedido` ≈
//!   `pedir`) match too, even when the customer's word is itself known. A typo in Chinese is a
//!   wrong or missing character, which only breaks the bigrams around it.
//! - **Keywords.** An entry's keywords are phrases that point at it strongly: a question that
//!   contains a keyword no other entry has reaches at least [`CONFIDENCE_CLEAR`] on its own.
//!
//! # Confidence scale
//!
//! Each stored question is compared with the customer's question through two coverages, by
//! weight: `q`, the share of the customer's question that the stored question explains, and `s`,
//! the share of the stored question that the customer's question contains (a fuzzy match counts
//! for 0.6–0.85 of its weight; customer words the FAQ never uses weigh half a rare word). The
//! question scores `√q × s`: missing part of a stored question costs more than saying more
//! than it, so a chatty message that contains a whole stored question still matches, while
//! one that shares half of it ("how long does a refund take" for "how long does shipping take")
//! stays well under 600. An entry takes its best question; keywords then add
//! `(1 − score) × 0.65 × strength`, where `strength` is the found share of the best keyword,
//! squared, divided by the number of entries sharing that keyword. The result is given in
//! per-mille, `0..=1000`:
//!
//! | confidence | meaning |
//! |---|---|
//! | 1000 | same terms as a stored question (punctuation, case, accents and order aside) |
//! | ≥ [`CONFIDENCE_NEAR_EXACT`] (800) | an exact or near-exact paraphrase of a stored question |
//! | ≥ [`CONFIDENCE_CLEAR`] (600) | a clear match: a typo, a few words more or less, a unique keyword |
//! | 300–599 | some overlap: worth suggesting, not answering on its own |
//! | < [`CONFIDENCE_UNRELATED`] (300) | unrelated; below 100 the entry is not returned at all |
//!
//! A stored question only counts when it shares at least one meaningful term (not a common word,
//! not a lone Chinese character taken out of a longer run) with the customer's question, so
//! "what is the…" alone matches nothing.
//!
//! # Limits
//!
//! Only the first [`MAX_SEARCH_CHARS`] characters of a customer's question, and the first
//! [`MAX_TERMS`] distinct terms of any text, are read, so a pasted essay costs the same as a
//! paragraph. Building over 2,000 entries of ~5 questions takes tens of milliseconds; a search
//! over them, typos included, takes about a tenth of a millisecond at most in release builds.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// Confidence from which a match is an exact or near-exact paraphrase of a stored question.
pub const CONFIDENCE_NEAR_EXACT: u16 = 800;
/// Confidence from which a match is clear (a typo, a few extra or missing words, a keyword).
pub const CONFIDENCE_CLEAR: u16 = 600;
/// Confidence under which a match should be treated as unrelated.
pub const CONFIDENCE_UNRELATED: u16 = 300;

/// Characters of a customer's question that are read; the rest is ignored.
pub const MAX_SEARCH_CHARS: usize = 1_000;
/// Distinct terms read from any one text (a customer's question, a stored question, a keyword).
pub const MAX_TERMS: usize = 256;

// Stored questions and keywords are bounded too, so one pasted document cannot bloat the index.
const MAX_ENTRY_TEXT_CHARS: usize = 4_000;
// Longer "words" are noise (URLs, base64, keyboard mashing); keeping a prefix is enough.
const MAX_WORD_CHARS: usize = 48;
// Typo tolerance only looks at words up to this length, which bounds the distance tables.
const MAX_FUZZY_CHARS: usize = 32;
// At most this many vocabulary words stand in for one misspelt customer word.
const MAX_FUZZY_CANDIDATES: usize = 4;

// Common words stay in the comparison (they separate "can I return" from "when do I return")
// but must not make two questions look alike on their own.
const STOP_FACTOR: f32 = 0.15;
// A single Chinese character carries little meaning, bigrams carry most of it; characters
// still soften a wrong character, which breaks two bigrams but only one character.
const UNIGRAM_FACTOR: f32 = 0.4;
// A customer word the FAQ never uses may be what the question is really about ("shoes"), or
// chatter around it ("last week", "usually"): it counts, but half as much as a rare known word.
const UNSEEN_FACTOR: f32 = 0.5;
// Share of the remaining distance to 1 that a fully found, unique keyword closes.
const KEYWORD_BOOST: f32 = 0.65;
// Scores below this (per-mille) are noise and are not returned.
const NOISE_FLOOR: u16 = 100;

// How much of a term's weight a fuzzy match is worth.
const SIM_INFLECTION: f32 = 0.85;
const SIM_ONE_EDIT: f32 = 0.8;
const SIM_TWO_EDITS: f32 = 0.6;

// Padding around a word for the bigram index of the typo search, so that first and last letters
// count as much as inner ones. Control characters never survive tokenization, so these cannot
// collide with a real letter.
const WORD_START: char = '\u{1}';
const WORD_END: char = '\u{2}';

/// English and Spanish words so common that they say nothing about the topic, normalized
/// (lower case, no accents) and sorted for binary search.
const STOP_WORDS: &[&str] = &[
    "a", "about", "al", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by",
    "can", "como", "con", "could", "cual", "cuales", "cuando", "cuanta", "cuantas", "cuanto",
    "cuantos", "d", "de", "del", "did", "do", "does", "donde", "el", "ella", "en", "es", "esta",
    "estan", "este", "esto", "favor", "for", "from", "get", "got", "gracias", "had", "has", "have",
    "hay", "hello", "hey", "hi", "hola", "how", "i", "if", "in", "is", "it", "its", "just", "know",
    "la", "las", "le", "les", "like", "ll", "lo", "los", "m", "many", "me", "mi", "mis", "much",
    "muy", "my", "need", "nos", "o", "of", "ok", "on", "or", "our", "para", "please", "pls", "por",
    "puede", "pueden", "puedo", "que", "quiero", "re", "s", "se", "should", "si", "so", "son",
    "su", "sus", "t", "te", "tengo", "thank", "thanks", "that", "the", "their", "there", "these",
    "this", "those", "tiene", "tienen", "to", "tu", "tus", "u", "un", "una", "unas", "unos", "up",
    "us", "usted", "ustedes", "ve", "want", "was", "we", "were", "what", "when", "where", "which",
    "who", "why", "will", "with", "would", "y", "yo", "you", "your",
];

/// Chinese and Japanese bigrams as common as the stop words above, sorted for binary search.
/// `么时`, `时候` and `么样` are the bigrams of `什么时候` ("when") and `怎么样` ("how").
const STOP_BIGRAMS: &[&str] = &[
    "すか", "です", "ます", "一下", "不是", "么时", "么样", "什么", "你们", "你好", "可以", "如何",
    "怎么", "我们", "我的", "时候", "是不", "有没", "没有", "能不", "请问", "谢谢", "这个", "那个",
];

/// One entry as the matcher sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexedEntry {
    /// The caller's id for the entry, returned in [`Match::id`]. Entries sharing an id are
    /// merged into one.
    pub id: i64,
    /// The ways customers ask this question, in every language the shop serves.
    pub questions: Vec<String>,
    /// Words or short phrases that point at this entry on their own (`refund`, `货到付款`).
    pub keywords: Vec<String>,
}

/// An entry that matched a question, with how sure the matcher is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// The [`IndexedEntry::id`] of the entry.
    pub id: i64,
    /// Per-mille, `0..=1000` (never under 100 in a [`Index::search`] result); see the module
    /// docs for the scale.
    pub confidence: u16,
}

/// A built index over entries (build once, query many times; cloning is cheap, the data is
/// shared).
#[derive(Clone, Default)]
pub struct Index {
    inner: Arc<Inner>,
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Index")
            .field("entries", &self.inner.ids.len())
            .field("questions", &self.inner.questions.len())
            .field("keywords", &self.inner.keywords.len())
            .field("terms", &self.inner.term_weight.len())
            .finish()
    }
}

impl Index {
    /// Builds the index: normalizes and tokenizes every question and keyword, weighs terms by
    /// how many entries use them and prepares the typo lookup. Entries with the same id are
    /// merged; questions and keywords that are empty or made only of common words are skipped.
    pub fn build(entries: Vec<IndexedEntry>) -> Index {
        Index {
            inner: Arc::new(Inner::build(merge_by_id(entries))),
        }
    }

    /// The best `limit` entries for `question`, best first, each with a confidence in 0..=1000
    /// (integer per-mille, so callers compare thresholds without floats), only entries with
    /// confidence > 0. Equal confidences are ordered by id, so the result is deterministic.
    ///
    /// Entries scoring under 100 are left out as noise, so an unrelated question usually gets
    /// an empty list.
    pub fn search(&self, question: &str, limit: usize) -> Vec<Match> {
        self.inner.search(question, limit)
    }

    /// Number of distinct entry ids in the index.
    pub fn len(&self) -> usize {
        self.inner.ids.len()
    }

    /// Whether the index has no entries.
    pub fn is_empty(&self) -> bool {
        self.inner.ids.is_empty()
    }
}

fn merge_by_id(entries: Vec<IndexedEntry>) -> Vec<IndexedEntry> {
    let mut slot_of: HashMap<i64, usize> = HashMap::with_capacity(entries.len());
    let mut merged: Vec<IndexedEntry> = Vec::with_capacity(entries.len());
    for entry in entries {
        match slot_of.get(&entry.id) {
            Some(&slot) => {
                merged[slot].questions.extend(entry.questions);
                merged[slot].keywords.extend(entry.keywords);
            }
            None => {
                slot_of.insert(entry.id, merged.len());
                merged.push(entry);
            }
        }
    }
    merged
}

// ---------------------------------------------------------------------------------------------
// Normalization and tokenization
// ---------------------------------------------------------------------------------------------

/// What a term is, which decides its weight factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A word of a script written with spaces.
    Word,
    /// Two neighbouring characters of a script written without spaces.
    Bigram,
    /// One character of a longer run of such a script.
    Unigram,
    /// A run of exactly one such character (`iPhone 壳`): then it is all there is to match.
    Lone,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    text: String,
    kind: Kind,
}

impl Token {
    fn is_stop(&self) -> bool {
        match self.kind {
            Kind::Word => STOP_WORDS.binary_search(&self.text.as_str()).is_ok(),
            Kind::Bigram => STOP_BIGRAMS.binary_search(&self.text.as_str()).is_ok(),
            Kind::Unigram | Kind::Lone => false,
        }
    }

    /// Whether matching this term alone can make a stored question count at all.
    fn is_content(&self) -> bool {
        match self.kind {
            Kind::Word | Kind::Bigram => !self.is_stop(),
            Kind::Lone => true,
            Kind::Unigram => false,
        }
    }

    /// Weight factor applied on top of the term's inverse document frequency.
    fn factor(&self) -> f32 {
        let kind = match self.kind {
            Kind::Word | Kind::Bigram => 1.0,
            Kind::Unigram | Kind::Lone => UNIGRAM_FACTOR,
        };
        if self.is_stop() {
            kind * STOP_FACTOR
        } else {
            kind
        }
    }
}

/// Normalizes and tokenizes the first `max_chars` characters of `text` into distinct terms, in
/// order of first appearance, at most [`MAX_TERMS`].
fn analyze(text: &str, max_chars: usize) -> Vec<Token> {
    // Cut on a character boundary, before normalizing, so the work is bounded by the input.
    let end = text
        .char_indices()
        .nth(max_chars)
        .map_or(text.len(), |(at, _)| at);
    let mut tokenizer = Tokenizer::default();
    for c in normalize(&text[..end]).chars() {
        if !tokenizer.push(c) {
            break;
        }
    }
    tokenizer.finish()
}

/// NFKC, lower case, Latin diacritics folded away.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Whether the last character kept is a Latin letter, whose stray combining marks we drop.
    let mut after_latin = false;
    for c in text.nfkc() {
        for lower in c.to_lowercase() {
            after_latin = push_folded(lower, after_latin, &mut out);
        }
    }
    out
}

/// Pushes `c` with Latin diacritics removed; returns whether it was a Latin letter.
fn push_folded(c: char, after_latin: bool, out: &mut String) -> bool {
    if is_combining_mark(c) {
        // NFKC already composed what it could; a mark left after a Latin letter is an accent to
        // fold, a mark after anything else (Devanagari vowel sign, Arabic haraka…) is part of the
        // letter and stays.
        if !after_latin {
            out.push(c);
        }
        return after_latin;
    }
    // Letters that are not "base + accent" in Unicode but that people type without the stroke.
    let spelled = match c {
        'ß' => Some("ss"),
        'æ' => Some("ae"),
        'œ' => Some("oe"),
        'ø' => Some("o"),
        'đ' | 'ð' => Some("d"),
        'ł' => Some("l"),
        'ħ' => Some("h"),
        'ı' => Some("i"),
        'þ' => Some("th"),
        _ => None,
    };
    if let Some(spelled) = spelled {
        out.push_str(spelled);
        return true;
    }
    if is_latin_with_marks(c) {
        // Only Latin is decomposed: doing the same to Hangul or Cyrillic would split letters
        // (한 into jamo, й into и) that are distinct for their readers.
        decompose_canonical(c, |part| {
            if !is_combining_mark(part) {
                out.push(part);
            }
        });
        return c.is_alphabetic();
    }
    out.push(c);
    c.is_ascii_alphabetic()
}

/// Latin-1 Supplement, Latin Extended-A/B and Latin Extended Additional: where accented Latin
/// letters live.
fn is_latin_with_marks(c: char) -> bool {
    matches!(u32::from(c), 0x00C0..=0x024F | 0x1E00..=0x1EFF)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CharClass {
    /// Part of a word of a script written with spaces.
    Word,
    /// A character of a script written without spaces.
    Unspaced,
    /// Whitespace, punctuation, symbols, emoji, control characters.
    Separator,
}

fn classify(c: char) -> CharClass {
    let code = u32::from(c);
    let unspaced = matches!(
        code,
        0x3005..=0x3007            // 々 〆 〇
        | 0x3041..=0x309F          // Hiragana
        | 0x30A1..=0x30FA          // Katakana (without ゠ and the middle dot ・)
        | 0x30FC..=0x30FF          // ー and friends
        | 0x31F0..=0x31FF          // Katakana phonetic extensions
        | 0x3400..=0x4DBF          // CJK extension A
        | 0x4E00..=0x9FFF          // CJK unified ideographs
        | 0xF900..=0xFAFF          // CJK compatibility ideographs
        | 0x20000..=0x3FFFF        // CJK extensions B and later
        | 0x1100..=0x11FF          // Hangul jamo
        | 0x3130..=0x318F          // Hangul compatibility jamo
        | 0xA960..=0xA97F          // Hangul jamo extended-A
        | 0xAC00..=0xD7FF          // Hangul syllables and jamo extended-B
    );
    // Thai, Lao, Myanmar and Khmer are written without spaces too; their blocks also hold
    // digits and currency signs, hence the extra check.
    let unspaced_alphabetic = matches!(code, 0x0E00..=0x0EFF | 0x1000..=0x109F | 0x1780..=0x17FF)
        && (c.is_alphabetic() || is_combining_mark(c));
    if unspaced || unspaced_alphabetic {
        CharClass::Unspaced
    } else if c.is_alphanumeric() || is_combining_mark(c) {
        CharClass::Word
    } else {
        CharClass::Separator
    }
}

/// Cuts normalized text into distinct terms.
#[derive(Default)]
struct Tokenizer {
    tokens: Vec<Token>,
    positions: HashMap<String, usize>,
    word: String,
    word_chars: usize,
    run: Vec<char>,
}

impl Tokenizer {
    /// Feeds one character; returns `false` once [`MAX_TERMS`] terms were collected.
    fn push(&mut self, c: char) -> bool {
        match classify(c) {
            CharClass::Word => {
                self.flush_run();
                if self.word_chars < MAX_WORD_CHARS {
                    self.word.push(c);
                    self.word_chars += 1;
                }
            }
            CharClass::Unspaced => {
                self.flush_word();
                self.run.push(c);
            }
            CharClass::Separator => {
                self.flush_word();
                self.flush_run();
            }
        }
        self.tokens.len() < MAX_TERMS
    }

    fn finish(mut self) -> Vec<Token> {
        self.flush_word();
        self.flush_run();
        self.tokens
    }

    fn flush_word(&mut self) {
        if !self.word.is_empty() {
            let word = std::mem::take(&mut self.word);
            self.add(word, Kind::Word);
        }
        self.word_chars = 0;
    }

    fn flush_run(&mut self) {
        let run = std::mem::take(&mut self.run);
        match run.as_slice() {
            [] => {}
            [single] => self.add(single.to_string(), Kind::Lone),
            _ => {
                for pair in run.windows(2) {
                    self.add(pair.iter().collect(), Kind::Bigram);
                }
                for c in &run {
                    self.add(c.to_string(), Kind::Unigram);
                }
            }
        }
        // Give the buffer back to avoid reallocating for the next run.
        self.run = run;
        self.run.clear();
    }

    fn add(&mut self, text: String, kind: Kind) {
        if let Some(&at) = self.positions.get(&text) {
            // The same character alone somewhere and inside a run elsewhere: keep the stronger
            // reading.
            if kind == Kind::Lone {
                self.tokens[at].kind = Kind::Lone;
            }
            return;
        }
        if self.tokens.len() >= MAX_TERMS {
            return;
        }
        self.positions.insert(text.clone(), self.tokens.len());
        self.tokens.push(Token { text, kind });
    }
}

// ---------------------------------------------------------------------------------------------
// Index
// ---------------------------------------------------------------------------------------------

/// A stored question or keyword, as a set of terms.
#[derive(Debug)]
struct Doc {
    /// Index of the entry in `Inner::ids`.
    entry: u32,
    /// Sum of the weights of its distinct terms.
    total: f32,
    /// For keywords, 1 / number of entries that share the keyword; 1 for questions.
    specificity: f32,
}

#[derive(Default)]
struct Inner {
    /// Entry index → caller's id.
    ids: Vec<i64>,
    terms: HashMap<Box<str>, u32>,
    term_weight: Vec<f32>,
    /// Term → stored questions containing it, ascending.
    question_postings: Vec<Vec<u32>>,
    /// Term → keywords containing it, ascending.
    keyword_postings: Vec<Vec<u32>>,
    questions: Vec<Doc>,
    keywords: Vec<Doc>,
    fuzzy: FuzzyIndex,
    /// Inverse document frequency given to customer terms the index has never seen: half of what
    /// a term of a single entry gets (see [`UNSEEN_FACTOR`]).
    unseen_idf: f32,
}

/// A stored question or keyword while building: its entry and its distinct terms.
struct Pending {
    entry: u32,
    terms: Vec<u32>,
}

/// Turns pending texts into documents and their postings (term → documents, ascending).
fn into_docs(
    pending: &[Pending],
    term_weight: &[f32],
    specificity: &[f32],
) -> (Vec<Doc>, Vec<Vec<u32>>) {
    let mut postings = vec![Vec::new(); term_weight.len()];
    let mut docs = Vec::with_capacity(pending.len());
    for (doc_index, doc) in pending.iter().enumerate() {
        let doc_id = u32::try_from(doc_index).unwrap_or(u32::MAX);
        for &term in &doc.terms {
            postings[term as usize].push(doc_id);
        }
        docs.push(Doc {
            entry: doc.entry,
            total: doc.terms.iter().map(|&t| term_weight[t as usize]).sum(),
            specificity: specificity.get(doc_index).copied().unwrap_or(1.0),
        });
    }
    (docs, postings)
}

/// Terms met while building, with what the weights need.
#[derive(Default)]
struct Vocabulary {
    terms: HashMap<Box<str>, u32>,
    /// Kind and stop-word factor of each term.
    factors: Vec<f32>,
    /// Number of entries using each term.
    df: Vec<u32>,
    /// Last entry counted in `df`, so that each entry counts once.
    df_entry: Vec<u32>,
    /// Terms the typo search may suggest.
    fuzzy_words: Vec<u32>,
}

impl Vocabulary {
    /// The id of `token`'s term, created if new, with `entry` counted as using it.
    fn intern(&mut self, token: &Token, entry: u32) -> u32 {
        let id = match self.terms.get(token.text.as_str()) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.factors.len()).unwrap_or(u32::MAX);
                self.terms.insert(token.text.as_str().into(), id);
                self.factors.push(token.factor());
                self.df.push(0);
                self.df_entry.push(u32::MAX);
                if token.kind == Kind::Word && !token.is_stop() && fuzzy_eligible(&token.text) {
                    self.fuzzy_words.push(id);
                }
                id
            }
        };
        let slot = id as usize;
        // Document frequency counts entries, not texts: an entry saying "refund" in three
        // questions and a keyword is still one entry about refunds.
        if self.df_entry[slot] != entry {
            self.df_entry[slot] = entry;
            self.df[slot] += 1;
        }
        id
    }
}

/// Inverse document frequency, BM25 flavour: always positive, even for a term every entry has.
fn idf(entries: usize, df: usize) -> f32 {
    let entries = entries as f32;
    let df = df as f32;
    (1.0 + (entries - df + 0.5) / (df + 0.5)).ln()
}

impl Inner {
    fn build(entries: Vec<IndexedEntry>) -> Inner {
        let mut vocabulary = Vocabulary::default();
        let mut questions: Vec<Pending> = Vec::new();
        let mut keywords: Vec<Pending> = Vec::new();
        let mut keyword_keys: Vec<String> = Vec::new();

        let mut ids = Vec::with_capacity(entries.len());
        for (entry_index, entry) in entries.iter().enumerate() {
            let entry_index = u32::try_from(entry_index).unwrap_or(u32::MAX);
            ids.push(entry.id);
            for question in &entry.questions {
                let tokens = analyze(question, MAX_ENTRY_TEXT_CHARS);
                // A stored question made only of common words can never pass the content rule.
                if tokens.iter().any(Token::is_content) {
                    let terms = tokens
                        .iter()
                        .map(|t| vocabulary.intern(t, entry_index))
                        .collect();
                    questions.push(Pending {
                        entry: entry_index,
                        terms,
                    });
                }
            }
            for keyword in &entry.keywords {
                let tokens = analyze(keyword, MAX_ENTRY_TEXT_CHARS);
                if tokens.iter().any(Token::is_content) {
                    let key = tokens
                        .iter()
                        .map(|t| t.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    let terms = tokens
                        .iter()
                        .map(|t| vocabulary.intern(t, entry_index))
                        .collect();
                    keywords.push(Pending {
                        entry: entry_index,
                        terms,
                    });
                    keyword_keys.push(key);
                }
            }
        }
        let Vocabulary {
            terms,
            factors,
            df,
            fuzzy_words,
            ..
        } = vocabulary;

        let entry_count = ids.len();
        let term_weight: Vec<f32> = factors
            .iter()
            .zip(&df)
            .map(|(factor, &df)| factor * idf(entry_count, df as usize))
            .collect();

        // How many distinct entries use each keyword, for its specificity.
        let mut keyword_entries: HashMap<&str, (u32, u32)> = HashMap::new();
        for (doc, key) in keywords.iter().zip(&keyword_keys) {
            let seen = keyword_entries.entry(key.as_str()).or_insert((u32::MAX, 0));
            if seen.0 != doc.entry {
                *seen = (doc.entry, seen.1 + 1);
            }
        }

        let question_specificity = vec![1.0; questions.len()];
        let keyword_specificity: Vec<f32> = keyword_keys
            .iter()
            .map(|key| {
                let sharing = keyword_entries
                    .get(key.as_str())
                    .map_or(1, |&(_, count)| count);
                1.0 / sharing.max(1) as f32
            })
            .collect();
        let (questions, question_postings) =
            into_docs(&questions, &term_weight, &question_specificity);
        let (keywords, keyword_postings) = into_docs(&keywords, &term_weight, &keyword_specificity);

        let term_count = term_weight.len();
        let mut term_texts: Vec<&str> = vec![""; term_count];
        for (text, &id) in &terms {
            term_texts[id as usize] = text;
        }
        let fuzzy = FuzzyIndex::build(fuzzy_words.iter().map(|&id| (id, term_texts[id as usize])));

        Inner {
            unseen_idf: idf(entry_count, 1) * UNSEEN_FACTOR,
            ids,
            terms,
            term_weight,
            question_postings,
            keyword_postings,
            questions,
            keywords,
            fuzzy,
        }
    }

    fn search(&self, question: &str, limit: usize) -> Vec<Match> {
        if limit == 0 || self.ids.is_empty() {
            return Vec::new();
        }
        let query = self.query_terms(question);
        let query_total: f32 = query.iter().map(|term| term.weight).sum();
        if query_total <= 0.0 || !query.iter().any(|term| term.content) {
            return Vec::new();
        }

        let mut question_score = vec![0.0f32; self.ids.len()];
        let mut keyword_strength = vec![0.0f32; self.ids.len()];
        let mut entry_touched = vec![false; self.ids.len()];
        let mut touched_entries: Vec<u32> = Vec::new();

        let found = Accumulator::run(
            &query,
            &self.question_postings,
            &self.term_weight,
            self.questions.len(),
        );
        for &doc_id in &found.touched {
            let doc_index = doc_id as usize;
            if !found.content[doc_index] {
                continue;
            }
            let doc = &self.questions[doc_index];
            let query_coverage = (found.query_weight[doc_index] / query_total).min(1.0);
            let doc_coverage = (found.doc_weight[doc_index] / doc.total).min(1.0);
            let score = combine(query_coverage, doc_coverage);
            let entry = doc.entry as usize;
            if !std::mem::replace(&mut entry_touched[entry], true) {
                touched_entries.push(doc.entry);
            }
            question_score[entry] = question_score[entry].max(score);
        }

        let found = Accumulator::run(
            &query,
            &self.keyword_postings,
            &self.term_weight,
            self.keywords.len(),
        );
        for &doc_id in &found.touched {
            let doc_index = doc_id as usize;
            if !found.content[doc_index] {
                continue;
            }
            let doc = &self.keywords[doc_index];
            let coverage = (found.doc_weight[doc_index] / doc.total).min(1.0);
            let strength = coverage * coverage * doc.specificity;
            let entry = doc.entry as usize;
            if !std::mem::replace(&mut entry_touched[entry], true) {
                touched_entries.push(doc.entry);
            }
            keyword_strength[entry] = keyword_strength[entry].max(strength);
        }

        let mut matches: Vec<Match> = Vec::new();
        for &entry in &touched_entries {
            let entry = entry as usize;
            let base = question_score[entry];
            let score = base + (1.0 - base) * KEYWORD_BOOST * keyword_strength[entry];
            let confidence = to_per_mille(score);
            if confidence >= NOISE_FLOOR {
                matches.push(Match {
                    id: self.ids[entry],
                    confidence,
                });
            }
        }
        matches.sort_unstable_by(|a, b| b.confidence.cmp(&a.confidence).then(a.id.cmp(&b.id)));
        matches.truncate(limit);
        matches
    }

    fn weight_of(&self, term: u32) -> f32 {
        self.term_weight.get(term as usize).copied().unwrap_or(0.0)
    }

    /// The customer's terms, each with its weight and the index terms it may stand for.
    fn query_terms(&self, question: &str) -> Vec<QueryTerm> {
        let tokens = analyze(question, MAX_SEARCH_CHARS);
        let mut scratch = FuzzyScratch::default();
        tokens
            .iter()
            .map(|token| {
                let exact = self.terms.get(token.text.as_str()).copied();
                let mut candidates: Vec<(u32, f32)> =
                    exact.map(|id| (id, 1.0)).into_iter().collect();
                if token.kind == Kind::Word && !token.is_stop() {
                    self.fuzzy.candidates(
                        &token.text,
                        exact.is_some(),
                        &mut scratch,
                        &mut candidates,
                    );
                }
                // Best similarity first; among equals, the more common word (lower weight) is the
                // likelier intent; the term id makes the order total.
                candidates.sort_by(|a, b| {
                    b.1.total_cmp(&a.1)
                        .then(self.weight_of(a.0).total_cmp(&self.weight_of(b.0)))
                        .then(a.0.cmp(&b.0))
                });
                candidates.truncate(MAX_FUZZY_CANDIDATES + 1);
                // A misspelt word weighs what the word it most likely meant weighs.
                let weight = candidates
                    .first()
                    .map_or(token.factor() * self.unseen_idf, |&(id, _)| {
                        self.weight_of(id)
                    });
                QueryTerm {
                    weight,
                    content: token.is_content(),
                    candidates,
                }
            })
            .collect()
    }
}

/// Score of one stored question from its two coverages, in `0..=1`: `√q × s`.
///
/// Missing part of the stored question costs more than saying more than it, so a chatty message
/// containing a whole stored question still matches, while a question sharing half the meaning
/// of a stored one ("how long does a refund take" for "how long does shipping take") stays well
/// under 600. (A square root, not a general power: this runs for every candidate question.)
fn combine(query_coverage: f32, stored_coverage: f32) -> f32 {
    query_coverage.sqrt() * stored_coverage
}

/// Per-mille, rounded and clamped; NaN (which cannot happen with positive totals) gives 0.
fn to_per_mille(score: f32) -> u16 {
    let scaled = (score * 1000.0).round();
    if scaled.is_nan() || scaled <= 0.0 {
        0
    } else if scaled >= 1000.0 {
        1000
    } else {
        scaled as u16
    }
}

/// One distinct term of the customer's question.
#[derive(Debug)]
struct QueryTerm {
    weight: f32,
    content: bool,
    /// Index terms it matches and how well (1 for itself), best first.
    candidates: Vec<(u32, f32)>,
}

/// Matched weight per document, filled by walking the postings of the query's terms.
struct Accumulator {
    /// Sum over matched query terms of query weight × similarity.
    query_weight: Vec<f32>,
    /// Sum over matched document terms of document weight × similarity.
    doc_weight: Vec<f32>,
    /// Whether a content term of the query matched.
    content: Vec<bool>,
    /// Documents with any match, in order of first match.
    touched: Vec<u32>,
}

impl Accumulator {
    fn run(
        query: &[QueryTerm],
        postings: &[Vec<u32>],
        term_weight: &[f32],
        doc_count: usize,
    ) -> Accumulator {
        let mut found = Accumulator {
            query_weight: vec![0.0; doc_count],
            doc_weight: vec![0.0; doc_count],
            content: vec![false; doc_count],
            touched: Vec::new(),
        };
        // Number (1-based) of the last query term that matched each document, so one customer
        // term counts once per document even when several of its candidates are there.
        let mut last_term: Vec<u32> = vec![0; doc_count];
        for (number, term) in (1u32..).zip(query) {
            for &(candidate, similarity) in &term.candidates {
                let Some(docs) = postings.get(candidate as usize) else {
                    continue;
                };
                for &doc in docs {
                    let doc_index = doc as usize;
                    match last_term[doc_index] {
                        0 => found.touched.push(doc),
                        seen if seen == number => continue,
                        _ => {}
                    }
                    last_term[doc_index] = number;
                    found.query_weight[doc_index] += term.weight * similarity;
                    found.doc_weight[doc_index] += similarity * term_weight[candidate as usize];
                    found.content[doc_index] |= term.content;
                }
            }
        }
        found
    }
}

// ---------------------------------------------------------------------------------------------
// Typo tolerance
// ---------------------------------------------------------------------------------------------

fn fuzzy_eligible(word: &str) -> bool {
    let len = word.chars().count();
    (3..=MAX_FUZZY_CHARS).contains(&len) && word.chars().all(char::is_alphabetic)
}

/// Letter bigrams of the padded word, distinct.
fn word_bigrams(chars: &[char]) -> Vec<(char, char)> {
    let mut grams: Vec<(char, char)> = Vec::with_capacity(chars.len() + 1);
    let padded: Vec<char> = std::iter::once(WORD_START)
        .chain(chars.iter().copied())
        .chain(std::iter::once(WORD_END))
        .collect();
    for pair in padded.windows(2) {
        grams.push((pair[0], pair[1]));
    }
    grams.sort_unstable();
    grams.dedup();
    grams
}

struct FuzzyWord {
    term: u32,
    chars: Box<[char]>,
}

/// The vocabulary words that typos and inflections are matched against.
#[derive(Default)]
struct FuzzyIndex {
    words: Vec<FuzzyWord>,
    /// First three letters → words: inflections always share at least that much, so a short
    /// list is all there is to check, even for a known word.
    by_prefix: HashMap<[char; 3], Vec<u32>>,
    /// Padded letter bigram → words, to find typo candidates without scanning the vocabulary.
    grams: HashMap<(char, char), Vec<u32>>,
}

/// Per-query buffers of the typo search, allocated on the first unknown word.
#[derive(Default)]
struct FuzzyScratch {
    /// Bigrams shared with the customer's word, per vocabulary word.
    shared: Vec<u8>,
    touched: Vec<u32>,
}

fn prefix_key(chars: &[char]) -> Option<[char; 3]> {
    match chars {
        [a, b, c, ..] => Some([*a, *b, *c]),
        _ => None,
    }
}

impl FuzzyIndex {
    fn build<'a>(words: impl Iterator<Item = (u32, &'a str)>) -> FuzzyIndex {
        let mut index = FuzzyIndex::default();
        for (term, text) in words {
            let chars: Box<[char]> = text.chars().collect();
            let word_id = u32::try_from(index.words.len()).unwrap_or(u32::MAX);
            if let Some(key) = prefix_key(&chars) {
                index.by_prefix.entry(key).or_default().push(word_id);
            }
            for gram in word_bigrams(&chars) {
                index.grams.entry(gram).or_default().push(word_id);
            }
            index.words.push(FuzzyWord { term, chars });
        }
        // Postings sorted by word length, so a lookup only walks the lengths a typo can reach.
        let words = &index.words;
        for postings in index.grams.values_mut() {
            postings
                .sort_unstable_by_key(|&word_id| (words[word_id as usize].chars.len(), word_id));
        }
        index
    }

    /// The words of `postings` whose length is within `lengths`.
    fn with_length<'p>(
        &self,
        postings: &'p [u32],
        lengths: std::ops::RangeInclusive<usize>,
    ) -> &'p [u32] {
        let length = |word_id: &u32| self.words[*word_id as usize].chars.len();
        let start = postings.partition_point(|id| length(id) < *lengths.start());
        let end = postings.partition_point(|id| length(id) <= *lengths.end());
        postings.get(start..end).unwrap_or_default()
    }

    /// Adds to `out` the vocabulary words `word` may be an inflection or a typo of. When the
    /// word is itself in the vocabulary (`known`), only inflections are added: a known word is
    /// taken as meant.
    fn candidates(
        &self,
        word: &str,
        known: bool,
        scratch: &mut FuzzyScratch,
        out: &mut Vec<(u32, f32)>,
    ) {
        if !fuzzy_eligible(word) {
            return;
        }
        let chars: Vec<char> = word.chars().collect();
        let bucket = prefix_key(&chars).and_then(|key| self.by_prefix.get(&key));
        for &word_id in bucket.into_iter().flatten() {
            let candidate = &self.words[word_id as usize];
            if *candidate.chars != *chars && is_inflection(&chars, &candidate.chars) {
                out.push((candidate.term, SIM_INFLECTION));
            }
        }
        let edits = max_edits(chars.len());
        if known || edits == 0 {
            return;
        }
        let lengths = chars.len().saturating_sub(edits)..=chars.len() + edits;

        if scratch.shared.len() != self.words.len() {
            scratch.shared = vec![0; self.words.len()];
        }
        let grams = word_bigrams(&chars);
        for gram in &grams {
            let postings = self.grams.get(gram).map_or(&[][..], |postings| postings);
            for &word_id in self.with_length(postings, lengths.clone()) {
                let shared = &mut scratch.shared[word_id as usize];
                if *shared == 0 {
                    scratch.touched.push(word_id);
                }
                *shared = shared.saturating_add(1);
            }
        }
        for &word_id in &scratch.touched {
            let shared = usize::from(std::mem::take(&mut scratch.shared[word_id as usize]));
            let candidate = &self.words[word_id as usize];
            let edits = max_edits(chars.len().min(candidate.chars.len()));
            if candidate.chars.len().abs_diff(chars.len()) > edits {
                continue;
            }
            // Count filter: an edit destroys at most two padded bigrams of the longer word, a
            // transposition three, so `edits` edits leave at least `longer + 1 − 3 × edits` of
            // them (and we ask for two, so a shared first letter alone never qualifies).
            let longer = chars.len().max(candidate.chars.len());
            let needed = (longer + 1).saturating_sub(3 * edits).max(2);
            if shared < needed || is_inflection(&chars, &candidate.chars) {
                continue;
            }
            if let Some(similarity) = typo_similarity(&chars, &candidate.chars) {
                out.push((candidate.term, similarity));
            }
        }
        scratch.touched.clear();
    }
}

/// Typos tolerated between words whose shorter one has `len` letters.
fn max_edits(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// How well a customer word stands for a different vocabulary word it may be a typo of.
fn typo_similarity(word: &[char], candidate: &[char]) -> Option<f32> {
    let edits = max_edits(word.len().min(candidate.len()));
    if edits == 0 || word == candidate {
        return None;
    }
    match restricted_damerau_levenshtein(word, candidate, edits)? {
        0 | 1 => Some(SIM_ONE_EDIT),
        _ => Some(SIM_TWO_EDITS),
    }
}

/// Same stem with a different ending: `order`/`orders`, `tax`/`taxes`, `refund`/`refunded`,
/// `pedido`/`pedir`. Cheaper and more predictable than a real stemmer for two languages.
fn is_inflection(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() >= 3 && long.starts_with(short) {
        let tail = &long[short.len()..];
        if tail == ['s'] || tail == ['e', 's'] {
            return true;
        }
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    // The shared stem must be most of the longer word, so `cost` is not `costume`.
    prefix >= 4 && a.len() - prefix <= 3 && b.len() - prefix <= 3 && prefix * 5 >= long.len() * 3
}

/// Optimal string alignment distance (Damerau-Levenshtein without substring moves), or `None`
/// when it exceeds `max`. Words are at most [`MAX_FUZZY_CHARS`] long, so rows live on the stack.
fn restricted_damerau_levenshtein(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len() > MAX_FUZZY_CHARS || b.len() > MAX_FUZZY_CHARS || a.len().abs_diff(b.len()) > max {
        return None;
    }
    const ROW: usize = MAX_FUZZY_CHARS + 1;
    let width = b.len();
    let mut before: [usize; ROW] = [0; ROW];
    let mut previous: [usize; ROW] = [0; ROW];
    let mut current: [usize; ROW] = [0; ROW];
    for (j, cell) in previous.iter_mut().enumerate().take(width + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = i;
        for j in 1..=width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut distance = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                distance = distance.min(before[j - 2] + 1);
            }
            current[j] = distance;
            row_min = row_min.min(distance);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[width];
    (distance <= max).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPING_TIME: i64 = 1;
    const RETURN_POLICY: i64 = 2;
    const REFUND: i64 = 3;
    const TRACKING: i64 = 4;
    const PAYMENT_METHODS: i64 = 5;
    const SIZES: i64 = 6;
    const BUSINESS_HOURS: i64 = 7;
    const CUSTOMS: i64 = 8;
    const CASH_ON_DELIVERY: i64 = 9;
    const WARRANTY: i64 = 10;
    const SHIPPING_COST: i64 = 11;
    const PHONE_CASE: i64 = 12;
    const CANCEL_ORDER: i64 = 13;

    fn entry(id: i64, questions: &[&str], keywords: &[&str]) -> IndexedEntry {
        IndexedEntry {
            id,
            questions: questions.iter().map(|q| q.to_string()).collect(),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
        }
    }

    /// The FAQ of a small cross-border shop selling clothes and phone accessories.
    fn shop_faq() -> Vec<IndexedEntry> {
        vec![
            entry(
                SHIPPING_TIME,
                &[
                    "How long does shipping take?",
                    "When will my order arrive?",
                    "How many days does delivery take?",
                    "发货后多久能到？",
                    "运输需要几天？",
                    "¿Cuánto tarda el envío?",
                    "¿Cuándo llega mi pedido?",
                ],
                &["delivery time", "tiempo de entrega"],
            ),
            entry(
                RETURN_POLICY,
                &[
                    "What is your return policy?",
                    "Can I return an item?",
                    "可以退货吗？",
                    "退货政策是什么？",
                    "¿Cuál es la política de devolución?",
                    "¿Puedo devolver un producto?",
                ],
                &["return policy", "退货政策", "devolución"],
            ),
            entry(
                REFUND,
                &[
                    "How long does a refund take?",
                    "When will I get my money back?",
                    "退货退款需要多长时间？",
                    "什么时候退款到账？",
                    "¿Cuándo recibo mi reembolso?",
                    "¿Cuánto tarda el reembolso?",
                ],
                &["refund", "退款", "reembolso"],
            ),
            entry(
                TRACKING,
                &[
                    "How can I track my order?",
                    "Where is my package?",
                    "怎么查询物流？",
                    "我的包裹在哪里？",
                    "¿Cómo rastreo mi pedido?",
                    "¿Dónde está mi paquete?",
                ],
                &["tracking number", "物流单号", "número de seguimiento"],
            ),
            entry(
                PAYMENT_METHODS,
                &[
                    "What payment methods do you accept?",
                    "Can I pay with PayPal or credit card?",
                    "支持哪些付款方式？",
                    "可以用支付宝付款吗？",
                    "¿Qué métodos de pago aceptan?",
                    "¿Puedo pagar con tarjeta?",
                ],
                &["paypal", "支付宝", "微信支付", "tarjeta de crédito"],
            ),
            entry(
                SIZES,
                &[
                    "How do I choose my size?",
                    "Do you have a size chart?",
                    "尺码怎么选？",
                    "有尺码表吗？",
                    "¿Qué talla debo elegir?",
                    "¿Tienen una guía de tallas?",
                ],
                &["size chart", "尺码表", "guía de tallas"],
            ),
            entry(
                BUSINESS_HOURS,
                &[
                    "What are your business hours?",
                    "When is customer service online?",
                    "客服什么时候在线？",
                    "你们几点上班？",
                    "¿Cuál es su horario de atención?",
                    "¿A qué hora abren?",
                ],
                &["opening hours", "营业时间", "horario"],
            ),
            entry(
                CUSTOMS,
                &[
                    "Do I have to pay customs duties or import tax?",
                    "Are taxes included in the price?",
                    "需要交关税吗？",
                    "价格含税吗？",
                    "¿Tengo que pagar impuestos de aduana?",
                    "¿El precio incluye impuestos?",
                ],
                &["customs", "关税", "aduana"],
            ),
            entry(
                CASH_ON_DELIVERY,
                &[
                    "Do you offer cash on delivery?",
                    "Can I pay when the package arrives?",
                    "支持货到付款吗？",
                    "¿Tienen pago contra entrega?",
                    "¿Puedo pagar en efectivo al recibir?",
                ],
                &["COD", "cash on delivery", "货到付款", "contra entrega"],
            ),
            entry(
                WARRANTY,
                &[
                    "Is there a warranty?",
                    "How long is the warranty period?",
                    "有保修吗？",
                    "保修期多久？",
                    "¿Tiene garantía?",
                    "¿Cuánto dura la garantía?",
                ],
                &["warranty", "保修", "garantía"],
            ),
            entry(
                SHIPPING_COST,
                &[
                    "How much does shipping cost?",
                    "Is shipping free?",
                    "运费多少钱？",
                    "包邮吗？",
                    "¿Cuánto cuesta el envío?",
                    "¿El envío es gratis?",
                ],
                &["shipping fee", "运费", "envío gratis"],
            ),
            entry(
                PHONE_CASE,
                &[
                    "How much is the iPhone case?",
                    "iPhone 手机壳多少钱？",
                    "¿Cuánto cuesta la funda de iPhone?",
                ],
                &["iphone case", "手机壳", "funda"],
            ),
            entry(
                CANCEL_ORDER,
                &[
                    "Can I cancel my order?",
                    "怎么取消订单？",
                    "¿Puedo cancelar mi pedido?",
                ],
                &[],
            ),
        ]
    }

    fn shop_index() -> Index {
        Index::build(shop_faq())
    }

    /// Asserts that `expected` ranks first for `question` with at least `min_confidence`.
    #[track_caller]
    fn assert_top(index: &Index, question: &str, expected: i64, min_confidence: u16) {
        let found = index.search(question, 3);
        let Some(best) = found.first() else {
            panic!("{question:?}: no match, expected entry {expected}");
        };
        assert_eq!(
            best.id, expected,
            "{question:?}: wrong entry first: {found:?}"
        );
        assert!(
            best.confidence >= min_confidence,
            "{question:?}: confidence {} < {min_confidence}: {found:?}",
            best.confidence
        );
    }

    /// Asserts that nothing matches `question` with confidence 300 or more.
    #[track_caller]
    fn assert_unrelated(index: &Index, question: &str) {
        let found = index.search(question, 3);
        if let Some(best) = found.first() {
            assert!(
                best.confidence < CONFIDENCE_UNRELATED,
                "{question:?} looks related: {found:?}"
            );
        }
    }

    #[test]
    fn english_questions() {
        let index = shop_index();
        for (question, expected, min_confidence) in [
            // Exact, up to punctuation and case.
            (
                "How long does shipping take?",
                SHIPPING_TIME,
                CONFIDENCE_NEAR_EXACT,
            ),
            (
                "WHAT IS YOUR RETURN POLICY!!!",
                RETURN_POLICY,
                CONFIDENCE_NEAR_EXACT,
            ),
            (
                "what payment methods do you accept",
                PAYMENT_METHODS,
                CONFIDENCE_NEAR_EXACT,
            ),
            (
                "are taxes included in the price",
                CUSTOMS,
                CONFIDENCE_NEAR_EXACT,
            ),
            // Word order, missing small words.
            (
                "shipping take how long",
                SHIPPING_TIME,
                CONFIDENCE_NEAR_EXACT,
            ),
            ("size chart?", SIZES, CONFIDENCE_NEAR_EXACT),
            (
                "can I pay when package arrives",
                CASH_ON_DELIVERY,
                CONFIDENCE_NEAR_EXACT,
            ),
            // Typos.
            (
                "how long does shiping take",
                SHIPPING_TIME,
                CONFIDENCE_CLEAR,
            ),
            ("refnd how long", REFUND, CONFIDENCE_CLEAR),
            ("where is my pakage", TRACKING, CONFIDENCE_CLEAR),
            ("is there a warrenty", WARRANTY, CONFIDENCE_CLEAR),
            // Chatty, with words the FAQ never uses.
            (
                "Hi! I ordered a dress last week, how long does shipping usually take?",
                SHIPPING_TIME,
                CONFIDENCE_CLEAR,
            ),
        ] {
            assert_top(&index, question, expected, min_confidence);
        }
    }

    #[test]
    fn chinese_questions() {
        let index = shop_index();
        for (question, expected, min_confidence) in [
            ("发货后多久能到", SHIPPING_TIME, CONFIDENCE_NEAR_EXACT),
            ("可以退货吗", RETURN_POLICY, CONFIDENCE_NEAR_EXACT),
            ("支持货到付款吗？", CASH_ON_DELIVERY, CONFIDENCE_NEAR_EXACT),
            ("需要交关税吗", CUSTOMS, CONFIDENCE_NEAR_EXACT),
            ("保修期多久", WARRANTY, CONFIDENCE_NEAR_EXACT),
            ("客服什么时候在线", BUSINESS_HOURS, CONFIDENCE_NEAR_EXACT),
            // A missing character, a wrong character.
            ("退货退款要多长时间", REFUND, CONFIDENCE_CLEAR),
            ("我的包裹在那里", TRACKING, CONFIDENCE_CLEAR),
            // Another order, extra words.
            ("物流怎么查询", TRACKING, CONFIDENCE_CLEAR),
            ("有没有尺码表", SIZES, CONFIDENCE_CLEAR),
            // Paraphrase that shares the keyword 退款.
            ("退款要多久", REFUND, CONFIDENCE_CLEAR),
        ] {
            assert_top(&index, question, expected, min_confidence);
        }
    }

    #[test]
    fn spanish_questions() {
        let index = shop_index();
        for (question, expected, min_confidence) in [
            (
                "¿Cuál es la política de devolución?",
                RETURN_POLICY,
                CONFIDENCE_NEAR_EXACT,
            ),
            (
                "CUÁNTO CUESTA EL ENVÍO",
                SHIPPING_COST,
                CONFIDENCE_NEAR_EXACT,
            ),
            (
                "el precio incluye impuestos?",
                CUSTOMS,
                CONFIDENCE_NEAR_EXACT,
            ),
            (
                "puedo pagar con tarjeta",
                PAYMENT_METHODS,
                CONFIDENCE_NEAR_EXACT,
            ),
            (
                "tienen pago contra entrega",
                CASH_ON_DELIVERY,
                CONFIDENCE_NEAR_EXACT,
            ),
            // Without accents.
            (
                "cuanto tarda el envio",
                SHIPPING_TIME,
                CONFIDENCE_NEAR_EXACT,
            ),
            (
                "politica de devolucion",
                RETURN_POLICY,
                CONFIDENCE_NEAR_EXACT,
            ),
            ("como rastreo mi pedido", TRACKING, CONFIDENCE_NEAR_EXACT),
            // Word order.
            (
                "mi pedido cuando llega",
                SHIPPING_TIME,
                CONFIDENCE_NEAR_EXACT,
            ),
            // Typos.
            ("cuando recibo mi rembolso", REFUND, CONFIDENCE_CLEAR),
            ("que talla debo elejir", SIZES, CONFIDENCE_CLEAR),
        ] {
            assert_top(&index, question, expected, min_confidence);
        }
    }

    #[test]
    fn mixed_scripts_and_widths() {
        let index = shop_index();
        for (question, expected, min_confidence) in [
            ("iPhone 手机壳多少钱", PHONE_CASE, CONFIDENCE_NEAR_EXACT),
            ("iPhone手机壳多少钱", PHONE_CASE, CONFIDENCE_NEAR_EXACT),
            (
                "ｉＰｈｏｎｅ手机壳多少钱？",
                PHONE_CASE,
                CONFIDENCE_NEAR_EXACT,
            ),
            (
                "how much is the iphone case 🙏🙏",
                PHONE_CASE,
                CONFIDENCE_NEAR_EXACT,
            ),
            ("paypal可以用吗", PAYMENT_METHODS, CONFIDENCE_CLEAR),
        ] {
            assert_top(&index, question, expected, min_confidence);
        }
    }

    #[test]
    fn a_unique_keyword_alone_is_a_clear_match() {
        let index = shop_index();
        assert_top(
            &index,
            "do you offer COD",
            CASH_ON_DELIVERY,
            CONFIDENCE_CLEAR,
        );
        assert_top(&index, "PayPal?", PAYMENT_METHODS, CONFIDENCE_CLEAR);
        assert_top(&index, "aduana", CUSTOMS, CONFIDENCE_CLEAR);
        assert_top(&index, "营业时间", BUSINESS_HOURS, CONFIDENCE_CLEAR);
    }

    #[test]
    fn chinese_typos_are_bigram_overlap() {
        // No keywords: only the questions' bigrams can do the work.
        let entries = shop_faq()
            .into_iter()
            .map(|entry| IndexedEntry {
                keywords: Vec::new(),
                ..entry
            })
            .collect();
        let index = Index::build(entries);
        assert_top(&index, "退货退款要多长时间", REFUND, CONFIDENCE_CLEAR);
        assert_top(&index, "退货退款需要多常时间", REFUND, CONFIDENCE_CLEAR);
        // A paraphrase with other words ("多久" for "多长时间") shares only two bigrams with the
        // stored question: still ranked first, but not confidently (synonyms are not known).
        let found = index.search("退款要多久", 3);
        assert_eq!(found.first().map(|m| m.id), Some(REFUND), "{found:?}");
        assert!(
            (150..CONFIDENCE_CLEAR).contains(&found[0].confidence),
            "{found:?}"
        );
    }

    #[test]
    fn a_sibling_question_is_not_a_clear_match() {
        let index = shop_index();
        for (question, expected, sibling) in [
            ("how long does shipping take", SHIPPING_TIME, REFUND),
            ("how much does shipping cost", SHIPPING_COST, SHIPPING_TIME),
            ("cuanto tarda el envio", SHIPPING_TIME, SHIPPING_COST),
        ] {
            let found = index.search(question, 5);
            assert_eq!(
                found.first().map(|m| m.id),
                Some(expected),
                "{question:?}: {found:?}"
            );
            let sibling = found.iter().find(|m| m.id == sibling);
            assert!(
                sibling.is_none_or(|m| m.confidence < CONFIDENCE_CLEAR),
                "{question:?}: {found:?}"
            );
        }
    }

    #[test]
    fn unrelated_questions_match_nothing_confidently() {
        let index = shop_index();
        for question in [
            "what's the weather like today",
            "tell me a joke",
            "do you sell shoes",
            "I love you",
            "how",
            "what is the",
            "hello",
            "thanks!",
            "asdfghjkl qwertyuiop",
            "1234567890",
            "https://example.com/xyz?a=1&b=2",
            "lol 😂😂😂",
            "今天天气怎么样",
            "你是机器人吗",
            "的的的的",
            "¿Quién ganó el partido de fútbol?",
            "hola",
            "Привет, как дела?",
            "مرحبا كيف حالك",
        ] {
            assert_unrelated(&index, question);
        }
    }

    #[test]
    fn degenerate_input_matches_nothing() {
        let index = shop_index();
        for question in [
            "",
            "   \n\t  ",
            "🙂🙂🙂",
            "🇨🇳🇪🇸👍🏽",
            "!!! ??? ... ¿¡ 。，？",
            "\u{0}\u{7}\u{8}\u{7f}",
            "\u{200b}\u{200d}\u{fe0f}\u{202e}",
            "\u{301}\u{301}\u{301}",
        ] {
            let found = index.search(question, 5);
            assert!(found.is_empty(), "{question:?}: {found:?}");
        }
    }

    #[test]
    fn huge_input_matches_nothing_and_does_not_panic() {
        let index = shop_index();
        let garbage: String = "zq😀x\u{301}ß漢字 ".repeat(10_000);
        assert!(garbage.len() >= 100 * 1024);
        assert_unrelated(&index, &garbage);
        let one_word = "a".repeat(100 * 1024);
        assert_unrelated(&index, &one_word);
        let han: String = std::iter::repeat_n('漢', 40_000).collect();
        assert_unrelated(&index, &han);

        // A huge stored question is bounded too.
        let mut entries = shop_faq();
        entries.push(entry(
            99,
            &[garbage.as_str(), one_word.as_str()],
            &[han.as_str()],
        ));
        let index = Index::build(entries);
        assert_top(
            &index,
            "how long does shipping take",
            SHIPPING_TIME,
            CONFIDENCE_NEAR_EXACT,
        );
    }

    #[test]
    fn odd_unicode_does_not_panic() {
        let index = shop_index();
        let samples = [
            "\u{feff}shipping\u{200b}time",
            "é\u{301}\u{301}\u{301}nvío",
            "İstanbul ŞIŞLI",
            "ﬁﬂ ﬃ Ⅻ ㌀ ㍻",
            "한국어 배송 기간",
            "ｶﾀｶﾅ ﾃﾞｽ",
            "ภาษาไทย การจัดส่ง",
            "\u{10ffff}\u{e000}\u{fffd}",
            "a\u{0}b\u{0}c",
            "🏳️‍🌈👨‍👩‍👧",
        ];
        for sample in samples {
            for found in [
                index.search(sample, 10),
                Index::build(vec![entry(1, &[sample], &[sample])]).search(sample, 10),
            ] {
                assert!(found.iter().all(|m| (1..=1000).contains(&m.confidence)));
            }
        }
    }

    #[test]
    fn results_are_ordered_limited_and_deterministic() {
        let index = shop_index();
        let found = index.search("how long", 10);
        assert!(found.len() > 1, "{found:?}");
        assert!(found.windows(2).all(|pair| {
            pair[0].confidence > pair[1].confidence
                || (pair[0].confidence == pair[1].confidence && pair[0].id < pair[1].id)
        }));
        assert!(found.iter().all(|m| (1..=1000).contains(&m.confidence)));
        assert_eq!(index.search("how long", 1), found[..1].to_vec());
        assert!(index.search("how long", 0).is_empty());

        // Same entries in another order, same answers.
        let mut reversed = shop_faq();
        reversed.reverse();
        let other = Index::build(reversed);
        for question in ["how long", "shiping", "退款要多久", "cuanto cuesta"] {
            assert_eq!(
                index.search(question, 10),
                other.search(question, 10),
                "{question:?}"
            );
        }
    }

    #[test]
    fn ties_are_broken_by_id() {
        let index = Index::build(vec![
            entry(7, &["Do you ship to Canada?"], &[]),
            entry(3, &["Do you ship to Canada?"], &[]),
            entry(5, &["Do you ship to Canada?"], &[]),
        ]);
        let found = index.search("ship to canada", 10);
        assert_eq!(
            found.iter().map(|m| m.id).collect::<Vec<_>>(),
            vec![3, 5, 7]
        );
        assert!(found.iter().all(|m| m.confidence == found[0].confidence));
    }

    #[test]
    fn entries_sharing_an_id_are_merged() {
        let index = Index::build(vec![
            entry(1, &["How long does shipping take?"], &[]),
            entry(2, &["What is your return policy?"], &[]),
            entry(1, &["¿Cuánto tarda el envío?"], &["envío"]),
        ]);
        assert_eq!(index.len(), 2);
        assert!(!index.is_empty());
        assert_eq!(index.search("cuanto tarda el envio", 10).len(), 1);
    }

    #[test]
    fn empty_index_and_empty_entries() {
        let index = Index::build(Vec::new());
        assert!(index.is_empty());
        assert_eq!(index.len(), 0);
        assert!(index.search("how long does shipping take", 5).is_empty());
        assert!(Index::default().search("anything", 5).is_empty());

        let index = Index::build(vec![
            entry(1, &["", "the", "🙂"], &["", "of"]),
            entry(2, &[], &[]),
        ]);
        assert_eq!(index.len(), 2);
        assert!(index.search("the", 5).is_empty());
        assert!(index.search("shipping", 5).is_empty());
    }

    #[test]
    fn cloned_index_answers_the_same() {
        let index = shop_index();
        let clone = index.clone();
        assert_eq!(index.search("refund", 3), clone.search("refund", 3));
        assert!(format!("{index:?}").contains("entries: 13"));
    }

    #[test]
    fn normalization_folds_width_case_and_latin_accents() {
        assert_eq!(
            normalize("ＣＡＦÉ Ñandú Straße ÆØ"),
            "cafe nandu strasse aeo"
        );
        assert_eq!(normalize("DEVOLUCIÓN pingüino"), "devolucion pinguino");
        assert_eq!(normalize("e\u{301}"), "e");
        // Other scripts keep their letters whole.
        assert_eq!(normalize("한국 Йод"), "한국 йод");
        assert_eq!(normalize("ｶﾀｶﾅ"), "カタカナ");
    }

    #[test]
    fn tokenization_splits_words_and_cjk_runs() {
        let tokens = analyze("iPhone 壳 多少钱?", MAX_SEARCH_CHARS);
        let seen: Vec<(&str, Kind)> = tokens.iter().map(|t| (t.text.as_str(), t.kind)).collect();
        assert_eq!(
            seen,
            vec![
                ("iphone", Kind::Word),
                ("壳", Kind::Lone),
                ("多少", Kind::Bigram),
                ("少钱", Kind::Bigram),
                ("多", Kind::Unigram),
                ("少", Kind::Unigram),
                ("钱", Kind::Unigram),
            ]
        );
        let words: Vec<String> = analyze("don't—stop,the_music!!", 100)
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(words, ["don", "t", "stop", "the", "music"]);
        assert!(analyze(&"word ".repeat(10_000), usize::MAX).len() == 1);
        let many: String = (0..1_000).map(|n| format!("w{n} ")).collect();
        assert_eq!(analyze(&many, usize::MAX).len(), MAX_TERMS);
    }

    #[test]
    fn typo_distance_and_inflections() {
        let chars = |s: &str| s.chars().collect::<Vec<char>>();
        let distance =
            |a: &str, b: &str, max| restricted_damerau_levenshtein(&chars(a), &chars(b), max);
        assert_eq!(distance("shiping", "shipping", 1), Some(1));
        assert_eq!(distance("refnd", "refund", 1), Some(1));
        assert_eq!(distance("recieve", "receive", 1), Some(1));
        assert_eq!(distance("warrnaty", "warranty", 1), Some(1));
        assert_eq!(distance("shipping", "shopping", 1), Some(1));
        assert_eq!(distance("abcdefgh", "badcfegh", 2), None);
        assert_eq!(distance("refund", "return", 1), None);
        assert_eq!(distance("", "abc", 2), None);

        let inflection = |a: &str, b: &str| is_inflection(&chars(a), &chars(b));
        assert!(inflection("order", "orders"));
        assert!(inflection("tax", "taxes"));
        assert!(inflection("refund", "refunded"));
        assert!(inflection("pedido", "pedir"));
        assert!(inflection("devolucion", "devoluciones"));
        assert!(!inflection("cost", "costume"));
        assert!(!inflection("car", "card"));

        let typo = |a: &str, b: &str| typo_similarity(&chars(a), &chars(b));
        assert_eq!(typo("shiping", "shipping"), Some(SIM_ONE_EDIT));
        assert_eq!(typo("acesories", "accessories"), Some(SIM_TWO_EDITS));
        assert_eq!(typo("shipping", "shipping"), None);
        assert_eq!(typo("cod", "cot"), None);
        assert_eq!(typo("refund", "return"), None);
    }

    #[test]
    fn stop_lists_are_sorted_and_normalized() {
        for list in [STOP_WORDS, STOP_BIGRAMS] {
            assert!(list.windows(2).all(|pair| pair[0] < pair[1]), "{list:?}");
            for word in list {
                assert_eq!(normalize(word), *word);
            }
        }
        assert!(STOP_BIGRAMS
            .iter()
            .all(|bigram| bigram.chars().count() == 2));
    }

    /// A deterministic pseudo-random sequence, so the big index is the same on every run.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, bound: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) as usize) % bound
        }

        fn word(&mut self) -> String {
            const SYLLABLES: [&str; 24] = [
                "ka", "zu", "rel", "mo", "tis", "van", "qui", "dor", "pex", "lum", "bra", "sen",
                "gol", "fi", "nax", "tro", "wil", "jen", "hoz", "cay", "mur", "dex", "pol", "ris",
            ];
            let syllables = 2 + self.next(2);
            (0..syllables)
                .map(|_| SYLLABLES[self.next(SYLLABLES.len())])
                .collect()
        }

        fn han(&mut self, len: usize) -> String {
            (0..len)
                .filter_map(|_| char::from_u32(0x4E00 + self.next(0x5000) as u32))
                .collect()
        }
    }

    /// 2,000 entries of ~5 questions: the shop FAQ plus product questions.
    fn big_faq() -> (Vec<IndexedEntry>, Vec<(i64, String, String)>) {
        let mut rng = Lcg(42);
        let colors = ["black", "white", "red", "blue", "pink", "green"];
        let mut entries = shop_faq();
        let mut products = Vec::new();
        for id in 100..100 + 2_000 - entries.len() as i64 {
            let product = format!("{} {}", rng.word(), rng.word());
            let chinese = rng.han(4);
            let color = colors[rng.next(colors.len())];
            entries.push(IndexedEntry {
                id,
                questions: vec![
                    format!("How much is the {product}?"),
                    format!("Is the {product} in stock?"),
                    format!("Do you have the {product} in {color}?"),
                    format!("{chinese}多少钱？有货吗？"),
                    format!("¿Tienen {product} en color {color}?"),
                ],
                keywords: vec![product.clone()],
            });
            products.push((id, product, chinese));
        }
        (entries, products)
    }

    #[test]
    fn two_thousand_entries() {
        let (entries, products) = big_faq();
        assert_eq!(entries.len(), 2_000);
        let index = Index::build(entries);
        assert_eq!(index.len(), 2_000);

        for (question, expected, min_confidence) in [
            (
                "how long does shiping take",
                SHIPPING_TIME,
                CONFIDENCE_CLEAR,
            ),
            (
                "What is your return policy?",
                RETURN_POLICY,
                CONFIDENCE_NEAR_EXACT,
            ),
            ("refnd how long", REFUND, CONFIDENCE_CLEAR),
            ("物流怎么查询", TRACKING, CONFIDENCE_CLEAR),
            ("支持货到付款吗", CASH_ON_DELIVERY, CONFIDENCE_NEAR_EXACT),
            (
                "cuanto tarda el envio",
                SHIPPING_TIME,
                CONFIDENCE_NEAR_EXACT,
            ),
            ("iPhone手机壳多少钱", PHONE_CASE, CONFIDENCE_NEAR_EXACT),
        ] {
            assert_top(&index, question, expected, min_confidence);
        }
        for question in [
            "what's the weather like today",
            "今天天气怎么样",
            "tell me a joke",
        ] {
            assert_unrelated(&index, question);
        }

        for (id, product, chinese) in products.iter().step_by(37) {
            assert_top(
                &index,
                &format!("in stock {product}?"),
                *id,
                CONFIDENCE_NEAR_EXACT,
            );
            assert_top(&index, &format!("{chinese}多少钱"), *id, CONFIDENCE_CLEAR);
            // One typo in the product's longer word: two letters swapped ("kazurel" → "kzaurel").
            let longer = product
                .split(' ')
                .max_by_key(|word| word.len())
                .unwrap_or_default();
            let mut letters: Vec<char> = longer.chars().collect();
            letters.swap(1, 2);
            let typo = product.replacen(longer, &letters.iter().collect::<String>(), 1);
            assert_top(
                &index,
                &format!("how much is the {typo}"),
                *id,
                CONFIDENCE_CLEAR,
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        #[test]
        fn any_text_is_safe(question in "\\PC{0,200}", stored in "\\PC{0,80}") {
            let index = Index::build(vec![entry(1, &[stored.as_str()], &[stored.as_str()])]);
            for found in [index.search(&question, 5), index.search(&stored, 5)] {
                proptest::prop_assert!(found.iter().all(|m| (1..=1000).contains(&m.confidence)));
            }
        }
    }
}
