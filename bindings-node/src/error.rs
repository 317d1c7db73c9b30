//! The one mapping from `scanner_core::Error` to JS errors: every thrown or rejected error
//! is an `Error` whose `code` is the core `ErrorKind` name (`"InvalidInput"`, `"NotFound"`,
//! …), so programs branch on `err.code` and humans read `err.message`.

use napi::bindgen_prelude::{Env, Object, Unknown};
use napi::{JsValue, Status};
use scanner_core::{Error as CoreError, ErrorKind};

/// A napi error status carrying a core [`ErrorKind`]; napi uses its string as `err.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code(pub ErrorKind);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

/// A JS error with a kind `code` (synchronous functions, constructors).
pub type JsError = napi::Error<Code>;

/// `Result` of synchronous exports: the error becomes a thrown `Error` with `code`.
pub type JsResult<T> = Result<T, JsError>;

/// A core error as a thrown JS error; its source chain becomes the error's `cause` chain.
pub fn to_js(e: CoreError) -> JsError {
    let mut js = napi::Error::new(Code(e.kind()), e.message().to_owned());
    js.cause = causes(&e).into_iter().rev().fold(None, |inner, message| {
        let mut c = napi::Error::new(Status::GenericFailure, message);
        c.cause = inner;
        Some(Box::new(c))
    });
    js
}

/// The messages of `e`'s source chain, outermost first.
fn causes(e: &CoreError) -> Vec<String> {
    std::iter::successors(std::error::Error::source(e), |c| c.source())
        .map(|c| c.to_string())
        .collect()
}

/// An [`ErrorKind::InvalidInput`] JS error.
pub fn invalid(message: impl Into<String>) -> JsError {
    napi::Error::new(Code(ErrorKind::InvalidInput), message.into())
}

/// A napi-level failure (argument conversion, handle creation) as a JS error: bad
/// arguments are `InvalidInput`, anything else `Internal`.
pub fn from_napi(e: napi::Error) -> JsError {
    let kind = match e.status {
        Status::InvalidArg
        | Status::ObjectExpected
        | Status::StringExpected
        | Status::NumberExpected
        | Status::BooleanExpected
        | Status::ArrayExpected
        | Status::FunctionExpected
        | Status::BigintExpected
        | Status::DateExpected
        | Status::ArrayBufferExpected => ErrorKind::InvalidInput,
        _ => ErrorKind::Internal,
    };
    napi::Error::new(Code(kind), e.reason.clone())
}

/// `?`-friendly conversion of core results into [`JsResult`].
pub trait IntoJs<T> {
    /// Map the error with [`to_js`].
    fn js(self) -> JsResult<T>;
}

impl<T> IntoJs<T> for scanner_core::Result<T> {
    fn js(self) -> JsResult<T> {
        self.map_err(to_js)
    }
}

/// Build the JS `Error` object for `e` on the JS thread and wrap it, so a rejected Promise
/// carries `code` (napi's async bridge only knows `Status` codes) and the source chain as
/// `cause`.
pub fn rejection(env: &Env, e: &CoreError) -> napi::Error {
    let build = || -> napi::Result<napi::Error> {
        let mut cause: Option<Object> = None;
        for message in causes(e).iter().rev() {
            let mut c: Object =
                env.create_error(napi::Error::new(Status::GenericFailure, message.as_str()))?;
            if let Some(inner) = cause.take() {
                c.set("cause", inner)?;
            }
            cause = Some(c);
        }
        let mut obj: Object =
            env.create_error(napi::Error::new(Status::GenericFailure, e.message()))?;
        obj.set("code", e.kind().as_str())?;
        if let Some(c) = cause {
            obj.set("cause", c)?;
        }
        let unknown: Unknown = obj.to_unknown();
        Ok(napi::Error::from(unknown))
    };
    build().unwrap_or_else(|e| e)
}
