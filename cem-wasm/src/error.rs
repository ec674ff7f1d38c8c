//! `cem_core::Error` → a JavaScript `Error` object with a stable `code`.
//!
//! Always an `Error` (never a thrown string): `err.message` is the core's message,
//! `err.code` the kind's stable code (`"out_of_range"`, `"json"`, ...), `err.name` is
//! `"CemError"`. For `invalid_answers`, `err.problems` holds every problem as plain objects
//! `{question, code, message}` (the core's serde form of `AnswerProblem`).
use cem_core::Error;
use wasm_bindgen::JsValue;

/// The JS `Error` for a core error.
pub fn to_js(err: Error) -> JsValue {
    let js = js_sys::Error::new(&err.to_string());
    js.set_name("CemError");
    // `Reflect.set` only fails on frozen objects and proxies; a fresh Error is neither, and if
    // it ever failed the Error would still be thrown, just without its code.
    let _ = js_sys::Reflect::set(
        &js,
        &JsValue::from_str("code"),
        &JsValue::from_str(err.kind().code()),
    );
    if let Error::InvalidAnswers(problems) = &err
        && let Ok(list) = crate::convert::plain(problems)
    {
        let _ = js_sys::Reflect::set(&js, &JsValue::from_str("problems"), &list);
    }
    js.into()
}

/// `?`-friendly conversion of core results.
pub trait CoreResult<T> {
    /// Turns a core error into a JS `Error`.
    fn js(self) -> Result<T, JsValue>;
}

impl<T> CoreResult<T> for Result<T, Error> {
    fn js(self) -> Result<T, JsValue> {
        self.map_err(to_js)
    }
}
