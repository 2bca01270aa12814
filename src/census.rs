//! How many rows each stage of this process's work touched, counted while a census runs:
//! reading (rows read from the exports), checking (rows the data rules judged), computing
//! (each plan operator's input rows, times the expression nodes it evaluates on each) and
//! rendering (the result rows, sites and events each report's context holds).
//!
//! `tests/census.rs` builds projects of 10 and 40 sites with the same data at every site
//! and asserts that each stage does 4 times the work: the work per site does not depend on
//! the number of sites. Counting the plan operators collects every intermediate frame, so
//! nothing is counted unless [`start`] was called; one census runs per process.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

static ON: AtomicBool = AtomicBool::new(false);
static READ: AtomicU64 = AtomicU64::new(0);
static CHECKED: AtomicU64 = AtomicU64::new(0);
static RENDERED: AtomicU64 = AtomicU64::new(0);
static OPERATORS: Mutex<Vec<Operator>> = Mutex::new(Vec::new());

/// What a census counted.
#[derive(Clone, Debug, Default)]
pub struct Census {
    pub read: u64,
    pub checked: u64,
    /// Every plan operator of every computation, in the order the plans hold them.
    pub operators: Vec<Operator>,
    pub rendered: u64,
}

/// One plan operator: its kind (`filter`, `join`, ...) and the rows it touched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    pub kind: &'static str,
    pub rows: u64,
}

/// Starts counting, from zero.
pub fn start() {
    READ.store(0, Ordering::SeqCst);
    CHECKED.store(0, Ordering::SeqCst);
    RENDERED.store(0, Ordering::SeqCst);
    operators().clear();
    ON.store(true, Ordering::SeqCst);
}

/// Stops counting and returns what was counted.
pub fn take() -> Census {
    ON.store(false, Ordering::SeqCst);
    Census {
        read: READ.load(Ordering::SeqCst),
        checked: CHECKED.load(Ordering::SeqCst),
        operators: std::mem::take(&mut *operators()),
        rendered: RENDERED.load(Ordering::SeqCst),
    }
}

/// Whether a census runs.
pub(crate) fn counting() -> bool {
    ON.load(Ordering::Relaxed)
}

/// Adds `rows` to `counter` while a census runs.
fn add(counter: &AtomicU64, rows: usize) {
    if counting() {
        counter.fetch_add(rows as u64, Ordering::Relaxed);
    }
}

pub(crate) fn read(rows: usize) {
    add(&READ, rows);
}

pub(crate) fn checked(rows: usize) {
    add(&CHECKED, rows);
}

pub(crate) fn rendered(rows: usize) {
    add(&RENDERED, rows);
}

pub(crate) fn computed(ops: Vec<Operator>) {
    operators().extend(ops);
}

fn operators() -> std::sync::MutexGuard<'static, Vec<Operator>> {
    OPERATORS.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
