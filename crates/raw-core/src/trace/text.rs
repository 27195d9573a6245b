//! What a program says, in no language yet: a message id of the catalog with its named
//! arguments ([`Text`]), made with [`text!`](crate::text) at the call site. Rendering it
//! in a language is the catalog's job ([`crate::catalog`], a layer above): a step, an
//! event or an error only carries the `Text`.

#![forbid(unsafe_code)]

/// One argument of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A whole number: a count the plural rules may select on, a port, an fd.
    Int(i64),
    /// A measured figure, written with the language's decimal separator.
    Float(f64),
    /// A figure with a fixed number of decimals ([`num`]).
    Fixed(f64, usize),
    /// A name, an address, a strace line: shown as it is.
    Str(String),
    /// Another message, rendered in the same language as the one that holds it.
    Text(Box<Text>),
}

/// A message id with its arguments, in no language yet: what a step, a view or an
/// error says, rendered only where it is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// The message id in the catalog (`tcp-stopped`).
    pub id: &'static str,
    /// The named arguments, in the order the call site gave them.
    pub args: Vec<(&'static str, Arg)>,
}

impl Text {
    /// A message with no arguments yet.
    pub fn new(id: &'static str) -> Text {
        Text {
            id,
            args: Vec::new(),
        }
    }

    /// The same message with one more argument.
    pub fn with(mut self, name: &'static str, value: Arg) -> Text {
        self.args.push((name, value));
        self
    }
}

/// A figure with `decimals` digits after the separator, as an argument: `num(1.256, 2)`
/// shows `1.26` in English and `1,26` in Portuguese.
pub fn num(value: f64, decimals: usize) -> Arg {
    Arg::Fixed(value, decimals)
}

/// How [`text!`](crate::text) turns any argument into an [`Arg`]: a [`Text`] stays a
/// message, whole numbers stay numbers (for plurals), floats stay figures, anything
/// else is shown with `Display`. (Autoref specialisation: the most specific `arg`
/// method wins at compile time.)
pub mod into {
    use super::{Arg, Text};

    /// The wrapper the macro puts each argument in.
    pub struct Wrap<'a, T: ?Sized>(pub &'a T);

    /// A message inside a message.
    pub trait ViaText {
        /// The argument.
        fn arg(&self) -> Arg;
    }
    impl ViaText for &&&Wrap<'_, Text> {
        fn arg(&self) -> Arg {
            Arg::Text(Box::new(self.0.clone()))
        }
    }

    /// A figure already made an [`Arg`] (by [`super::num`]).
    pub trait ViaArg {
        /// The argument.
        fn arg(&self) -> Arg;
    }
    impl ViaArg for &&Wrap<'_, Arg> {
        fn arg(&self) -> Arg {
            self.0.clone()
        }
    }

    /// The whole numbers.
    pub trait Integer: Copy {
        /// As an i64 (saturating).
        fn to_i64(self) -> i64;
    }
    macro_rules! integers {
        ($($t:ty),*) => {$(
            impl Integer for $t {
                fn to_i64(self) -> i64 {
                    i64::try_from(self).unwrap_or(i64::MAX)
                }
            }
        )*};
    }
    integers!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

    /// A count, a port, an fd.
    pub trait ViaInt {
        /// The argument.
        fn arg(&self) -> Arg;
    }
    impl<T: Integer> ViaInt for &Wrap<'_, T> {
        fn arg(&self) -> Arg {
            Arg::Int(self.0.to_i64())
        }
    }
    impl ViaInt for &Wrap<'_, f64> {
        fn arg(&self) -> Arg {
            Arg::Float(*self.0)
        }
    }

    /// Anything shown as it is.
    pub trait ViaDisplay {
        /// The argument.
        fn arg(&self) -> Arg;
    }
    impl<T: std::fmt::Display + ?Sized> ViaDisplay for Wrap<'_, T> {
        fn arg(&self) -> Arg {
            Arg::Str(self.0.to_string())
        }
    }
}

/// A message of the catalog with its named arguments: `text!("tcp-stopped", signal,
/// served = count)`. An argument written alone is passed under its own name.
#[macro_export]
macro_rules! text {
    ($id:literal $(, $name:ident $(= $value:expr)?)* $(,)?) => {{
        #[allow(unused_imports)]
        use $crate::trace::text::into::{ViaArg as _, ViaDisplay as _, ViaInt as _, ViaText as _};
        $crate::trace::text::Text::new($id)
            $(.with(stringify!($name), $crate::text!(@value $name $(= $value)?)))*
    }};
    (@value $name:ident) => {
        (&&&$crate::trace::text::into::Wrap(&$name)).arg()
    };
    (@value $name:ident = $value:expr) => {
        (&&&$crate::trace::text::into::Wrap(&$value)).arg()
    };
}
