//! The Rust side of the bridge: for each routine an `extern "C"` export that
//! converts C arguments, calls the user's function inside a panic guard and
//! writes results back; for each row type the functions that step through a
//! row stream. The macros emit these; the C# emitter calls them.

use super::abi::{AbiType, OutputKind, input_slots, output_kind, routine_symbol, row_symbols};
use crate::model::{Direction, Routine, RoutineKind, RowDef, RustValue, Value};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use syn::Type;

pub(super) fn abi_type(ty: AbiType) -> TokenStream {
    match ty {
        AbiType::U8 => quote!(u8),
        AbiType::I16 => quote!(i16),
        AbiType::I32 => quote!(i32),
        AbiType::I64 => quote!(i64),
        AbiType::F32 => quote!(f32),
        AbiType::F64 => quote!(f64),
        AbiType::Utf16Ptr => quote!(*const u16),
        AbiType::BytePtr => quote!(*const u8),
        AbiType::DecimalPtr => quote!(*const i32),
    }
}

pub(super) fn ident(base: &str, suffix: &str) -> Ident {
    Ident::new(&format!("{base}{suffix}"), Span::call_site())
}

/// The C parameters of an input value named `base`.
pub(super) fn input_params(base: &str, value: &Value) -> Vec<TokenStream> {
    input_slots(value)
        .into_iter()
        .map(|s| {
            let name = ident(base, s.suffix);
            let ty = abi_type(s.ty);
            quote!(#name: #ty)
        })
        .collect()
}

/// The C parameters that receive an output value named `base`; `with_null`
/// adds a `*mut u8` NULL flag (results use the status instead).
pub(super) fn output_params(base: &str, rust: RustValue, with_null: bool) -> Vec<TokenStream> {
    let mut params = Vec::new();
    if with_null {
        let name = ident(base, "_null");
        params.push(quote!(#name: *mut u8));
    }
    let name = ident(base, "");
    let last = match output_kind(rust) {
        OutputKind::Plain(ty) => {
            let ty = abi_type(ty);
            quote!(#name: *mut #ty)
        }
        OutputKind::Utf16Buf | OutputKind::ByteBuf => quote!(#name: *mut ::runtime::ffi::HsBuf),
        OutputKind::Guid => quote!(#name: *mut u8),
        OutputKind::Decimal => quote!(#name: *mut i32),
        OutputKind::DateTimeOffset => {
            let offset = ident(base, "_offset");
            params.push(quote!(#name: *mut i64));
            quote!(#offset: *mut i16)
        }
    };
    params.push(last);
    params
}

/// An expression converting the (non-NULL) C arguments of `base` into the
/// owned Rust value; `?` propagates conversion errors.
pub(super) fn convert_input(base: &str, value: &Value, label: &str) -> TokenStream {
    let v = ident(base, "");
    let len = ident(base, "_len");
    let bytes = quote!(::runtime::ffi::bytes_arg(#v, #len, #label)?);
    match value.rust {
        RustValue::Bool => quote!(#v != 0),
        RustValue::U8
        | RustValue::I16
        | RustValue::I32
        | RustValue::I64
        | RustValue::F32
        | RustValue::F64 => quote!(#v),
        RustValue::Str | RustValue::String => {
            quote!(::runtime::ffi::string_arg(#v, #len, #label)?)
        }
        // Borrowed for the call: zero-copy from the caller's buffer.
        RustValue::ByteSlice => bytes,
        RustValue::ByteVec => quote!(#bytes.to_vec()),
        RustValue::F32Slice => quote!(::runtime::ffi::f32_arg(#bytes, #label)?),
        RustValue::F32Vec => quote!(::runtime::ffi::f32_arg(#bytes, #label)?.into_owned()),
        RustValue::Vector(n) => {
            let n = n as usize;
            quote!(::runtime::ffi::vector_arg::<#n>(#bytes, #label)?)
        }
        RustValue::Uuid => quote!(::runtime::ffi::uuid_arg(#v, #label)?),
        RustValue::Date => quote!(::runtime::ffi::date_arg(#v, #label)?),
        RustValue::Time => quote!(::runtime::ffi::time_arg(#v, #label)?),
        RustValue::DateTime => quote!(::runtime::ffi::datetime_arg(#v, #label)?),
        RustValue::DateTimeOffset => {
            let offset = ident(base, "_offset");
            quote!(::runtime::ffi::datetimeoffset_arg(#v, #offset, #label)?)
        }
        RustValue::Decimal => quote!(::runtime::ffi::decimal_arg(#v, #label)?),
        RustValue::Geometry => quote!(
            ::runtime::geometry::Geometry::from_bridge(#bytes)
                .map_err(|__e| format!("{}: {}", #label, __e))?
        ),
        RustValue::Geography => quote!(
            ::runtime::geometry::Geography::from_bridge(#bytes)
                .map_err(|__e| format!("{}: {}", #label, __e))?
        ),
    }
}

/// The owned local `local`, seen as the parameter type: borrowed types
/// borrow it, owned types move it.
pub(super) fn as_argument(local: &Ident, value: &Value) -> TokenStream {
    let borrowed = matches!(value.rust, RustValue::Str | RustValue::F32Slice);
    match (borrowed, value.nullable) {
        (true, true) => quote!(#local.as_deref()),
        (true, false) => quote!(&#local[..]),
        (false, _) => quote!(#local),
    }
}

/// Statements writing `expr` (a reference to the value) to the outputs of `base`.
pub(super) fn write_value(base: &str, rust: RustValue, expr: TokenStream) -> TokenStream {
    let out = ident(base, "");
    match output_kind(rust) {
        OutputKind::Plain(_) => {
            let value = match rust {
                RustValue::Bool => quote!(u8::from(*#expr)),
                RustValue::Date => quote!(::runtime::ffi::date_days(#expr)),
                RustValue::Time => quote!(::runtime::ffi::time_ticks(#expr)),
                RustValue::DateTime => quote!(::runtime::ffi::datetime_ticks(#expr)),
                _ => quote!(*#expr),
            };
            quote!(::runtime::ffi::put(#out, #value);)
        }
        OutputKind::Utf16Buf => quote!(::runtime::ffi::put_string(#out, #expr);),
        OutputKind::ByteBuf => match rust {
            RustValue::ByteSlice | RustValue::ByteVec => {
                quote!(::runtime::ffi::put_bytes(#out, #expr);)
            }
            RustValue::Geometry | RustValue::Geography => {
                quote!(::runtime::ffi::put_bytes(#out, &#expr.to_bridge());)
            }
            _ => quote!(::runtime::ffi::put_f32s(#out, #expr);),
        },
        OutputKind::Guid => quote!(::runtime::ffi::put_uuid(#out, #expr);),
        OutputKind::Decimal => quote!(::runtime::ffi::put_decimal(#out, #expr);),
        OutputKind::DateTimeOffset => {
            let offset = ident(base, "_offset");
            quote!(::runtime::ffi::put_datetimeoffset(#out, #offset, #expr);)
        }
    }
}

/// `Some(&value)` unless the value is NULL, or a float SQL cannot hold.
pub(super) fn present(value: &Value, expr: TokenStream) -> TokenStream {
    let some = if value.nullable {
        quote!(#expr.as_ref())
    } else {
        quote!(Some(&#expr))
    };
    match value.rust {
        RustValue::F32 | RustValue::F64 => quote!(#some.filter(|x| x.is_finite())),
        // SQL Server cannot hold a NaN or infinite coordinate either.
        RustValue::Geometry | RustValue::Geography => quote!(#some.filter(|g| g.is_finite())),
        _ => some,
    }
}

/// The export for `routine`, whose signature is `sig` (for the row type as
/// written).
pub fn routine_export(routine: &Routine, sig: &syn::Signature) -> TokenStream {
    let symbol = Ident::new(&routine_symbol(&routine.name), Span::call_site());
    let user_fn = &sig.ident;
    let label = routine.name.to_string();
    let streams = routine.kind.row_ref().is_some();

    let mut params = Vec::new();
    let mut prelude = Vec::new();
    let mut args = Vec::new();
    let mut writebacks = Vec::new();
    for (i, param) in routine.params.iter().enumerate() {
        let base = format!("__p{i}");
        let local = format_ident!("__v{i}");
        let sql_label = format!("@{}", param.sql_name);
        params.extend(input_params(&base, &param.value));
        let converted = convert_input(&base, &param.value, &sql_label);
        let value = if param.value.nullable {
            let null = ident(&base, "_null");
            quote!(if #null != 0 { None } else { Some(#converted) })
        } else {
            converted
        };
        let needs_mut = param.direction == Direction::Output;
        prelude.push(if needs_mut {
            quote!(let mut #local = #value;)
        } else {
            quote!(let #local = #value;)
        });
        if param.direction == Direction::Output {
            let out_base = format!("__o{i}");
            params.extend(output_params(&out_base, param.value.rust, true));
            let null = ident(&out_base, "_null");
            let present = present(&param.value, quote!(#local));
            let write = write_value(&out_base, param.value.rust, quote!(__value));
            writebacks.push(quote! {
                match #present {
                    Some(__value) => { ::runtime::ffi::put(#null, 0u8); #write }
                    None => ::runtime::ffi::put(#null, 1u8),
                }
            });
            args.push(quote!(&mut #local));
        } else if streams
            && matches!(
                param.value.rust,
                RustValue::Str | RustValue::ByteSlice | RustValue::F32Slice
            )
        {
            // Rows may borrow the argument after the call returns: keep it in the stream.
            let keep = match param.value.rust {
                RustValue::Str => quote!(::runtime::ffi::keep_string),
                RustValue::ByteSlice => {
                    quote!((|__b: &[u8]| ::runtime::ffi::keep_slice(__b.to_vec())))
                }
                _ => quote!(
                    (|__f: ::std::borrow::Cow<'_, [f32]>| ::runtime::ffi::keep_slice(
                        __f.into_owned()
                    ))
                ),
            };
            let kept = format_ident!("__k{i}");
            prelude.push(if param.value.nullable {
                quote! {
                    let #kept = #local.map(|__x| { let (__box, __r) = #keep(__x); __keep.push(__box); __r });
                }
            } else {
                quote! {
                    let #kept = { let (__box, __r) = #keep(#local); __keep.push(__box); __r };
                }
            });
            args.push(quote!(#kept));
        } else {
            args.push(as_argument(&local, &param.value));
        }
    }

    let mut call = if routine.fallible {
        quote!(#user_fn(#(#args),*).map_err(|__e| ::std::string::ToString::to_string(&__e))?)
    } else {
        quote!(#user_fn(#(#args),*))
    };
    let sends_rows = matches!(&routine.kind, RoutineKind::Procedure { result_sets, .. } if !result_sets.is_empty());
    if sends_rows {
        // A procedure's rows are sent before it returns, and they may borrow
        // its OUTPUT parameters: collect them before the outputs are written.
        let row = crate::annotations::returned_row_type(sig).expect("a result set has a row type");
        call = quote!(::std::iter::Iterator::collect::<::std::vec::Vec<#row>>(::std::iter::IntoIterator::into_iter(#call)));
    }

    let finish = match &routine.kind {
        RoutineKind::ScalarFunction { returns, .. } => {
            params.extend(output_params("__out", returns.rust, false));
            let present = present(returns, quote!(__result));
            let write = write_value("__out", returns.rust, quote!(__value));
            quote! {
                match #present {
                    Some(__value) => { #write Ok(::runtime::ffi::STATUS_VALUE) }
                    None => Ok(::runtime::ffi::STATUS_NULL),
                }
            }
        }
        RoutineKind::Procedure { .. } if !sends_rows => quote! {
            let () = __result;
            Ok(::runtime::ffi::STATUS_VALUE)
        },
        RoutineKind::TableFunction { .. } | RoutineKind::Procedure { .. } => {
            let row: &Type = crate::annotations::returned_row_type(sig)
                .expect("a routine with rows returns a row type");
            params.push(quote!(__out: *mut *mut ::std::ffi::c_void));
            quote! {
                let __rows: ::std::boxed::Box<dyn ::std::iter::Iterator<Item = #row> + '_> =
                    ::std::boxed::Box::new(::std::iter::IntoIterator::into_iter(__result));
                ::runtime::ffi::put(__out, ::runtime::ffi::RowStream::into_handle(__rows, __keep));
                Ok(::runtime::ffi::STATUS_VALUE)
            }
        }
    };
    let keep = if streams {
        quote!(let mut __keep: ::std::vec::Vec<::std::boxed::Box<dyn ::std::any::Any>> = ::std::vec::Vec::new();)
    } else {
        TokenStream::new()
    };
    let doc = format!(
        "Bridge export of `{label}` (generated by `#[sql_...]`; called from the C# bridge)."
    );
    quote! {
        #[doc = #doc]
        #[doc(hidden)]
        #[unsafe(no_mangle)]
        #[allow(clippy::all, clippy::pedantic, unused_mut, unused_unsafe, non_snake_case)]
        pub unsafe extern "C" fn #symbol(#(#params,)* __err: *mut ::runtime::ffi::HsBuf) -> i32 {
            unsafe {
                ::runtime::ffi::guard(#label, __err, || {
                    #keep
                    #(#prelude)*
                    let __result = #call;
                    #(#writebacks)*
                    #finish
                })
            }
        }
    }
}

/// The stream functions of a row type: next (writes every column) and free.
pub fn row_exports(row: &RowDef) -> TokenStream {
    let ty = Ident::new(&row.rust.ident, Span::call_site());
    let (next_name, free_name) = row_symbols(&row.rust.ident);
    let next = Ident::new(&next_name, Span::call_site());
    let free = Ident::new(&free_name, Span::call_site());
    let label = format!("row {}", row.rust.ident);
    let mut params = Vec::new();
    let mut writes = Vec::new();
    for (j, column) in row.columns.iter().enumerate() {
        let base = format!("__c{j}");
        params.extend(output_params(&base, column.value.rust, true));
        let field = Ident::new(&column.rust_name, Span::call_site());
        let field = if syn::parse_str::<Ident>(&column.rust_name).is_ok() {
            quote!(#field)
        } else {
            let raw = format_ident!("r#{}", column.rust_name);
            quote!(#raw)
        };
        let null = ident(&base, "_null");
        let present = present(&column.value, quote!(__row.#field));
        let write = write_value(&base, column.value.rust, quote!(__value));
        writes.push(quote! {
            match #present {
                Some(__value) => { ::runtime::ffi::put(#null, 0u8); #write }
                None => ::runtime::ffi::put(#null, 1u8),
            }
        });
    }
    quote! {
        #[doc(hidden)]
        #[unsafe(no_mangle)]
        #[allow(clippy::all, clippy::pedantic, unused_unsafe, non_snake_case)]
        pub unsafe extern "C" fn #next(__handle: *mut ::std::ffi::c_void, #(#params,)* __err: *mut ::runtime::ffi::HsBuf) -> i32 {
            unsafe {
                ::runtime::ffi::guard(#label, __err, || {
                    match ::runtime::ffi::RowStream::<#ty>::next(__handle) {
                        None => Ok(::runtime::ffi::STATUS_DONE),
                        Some(__row) => {
                            #(#writes)*
                            Ok(::runtime::ffi::STATUS_ROW)
                        }
                    }
                })
            }
        }

        #[doc(hidden)]
        #[unsafe(no_mangle)]
        #[allow(clippy::all, non_snake_case)]
        pub unsafe extern "C" fn #free(__handle: *mut ::std::ffi::c_void) {
            // A panic while dropping the user's iterator must not unwind into C#.
            let _ = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| unsafe {
                ::runtime::ffi::RowStream::<#ty>::free(__handle)
            }));
        }
    }
}
