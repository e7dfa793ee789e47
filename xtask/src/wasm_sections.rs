//! The few things the dist does to a wasm file's sections (the layout is the WebAssembly spec's:
//! `\0asm`, a version, then sections of one id byte, a LEB128 size and the contents; a custom
//! section's contents start with its name).
//! - drop the `name` section: function names for stack traces, 7.7 of the engine's 26 MB in a
//!   release build (a panic's message still reaches the console);
//! - append a custom section (the build's name, stamp.rs).

fn leb128(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Read a LEB128 number at `*at`, moving past it.
fn read_leb128(bytes: &[u8], at: &mut usize) -> Option<usize> {
    let mut value = 0usize;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= ((byte & 0x7f) as usize) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// A custom section named `name` holding `payload`.
pub fn custom_section(name: &str, payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    leb128(name.len(), &mut body);
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(payload);
    let mut section = vec![0u8];
    leb128(body.len(), &mut section);
    section.extend(body);
    section
}

/// `wasm` without its custom sections named in `drop`; an error if it is not well-formed.
pub fn without_custom(wasm: &[u8], drop: &[&str]) -> Result<Vec<u8>, String> {
    if wasm.len() < 8 || !wasm.starts_with(b"\0asm") {
        return Err("not WebAssembly".into());
    }
    let mut out = wasm[..8].to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let start = at;
        let id = wasm[at];
        at += 1;
        let size = read_leb128(wasm, &mut at).ok_or("a truncated section header")?;
        let end = at.checked_add(size).filter(|e| *e <= wasm.len()).ok_or("a section runs past the end")?;
        let dropped = id == 0 && {
            let mut name_at = at;
            let len = read_leb128(wasm, &mut name_at).ok_or("a custom section without a name")?;
            wasm.get(name_at..name_at + len).is_some_and(|name| drop.iter().any(|d| d.as_bytes() == name))
        };
        if !dropped {
            out.extend_from_slice(&wasm[start..end]);
        }
        at = end;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_section_is_laid_out_as_the_spec_says() {
        assert_eq!(custom_section("ab", b"xyz"), vec![0, 6, 2, b'a', b'b', b'x', b'y', b'z']);
        let long = custom_section("n", &[7u8; 200]);
        assert_eq!(&long[..3], &[0, 0xca, 0x01], "202 bytes as LEB128");
        assert_eq!(long.len(), 3 + 2 + 200);
    }

    #[test]
    fn named_custom_sections_go_and_everything_else_stays_in_order() {
        let header = b"\0asm\x01\0\0\0".to_vec();
        let type_section = vec![1u8, 1, 0]; // id 1, one byte: no types
        let names = custom_section("name", &[9u8; 300]);
        let kept = custom_section("producers", b"rustc");
        let wasm = [header.clone(), type_section.clone(), names, kept.clone()].concat();
        assert_eq!(without_custom(&wasm, &["name"]).unwrap(), [header, type_section, kept].concat());
        assert_eq!(without_custom(&wasm, &[]).unwrap(), wasm);
        assert!(without_custom(b"not wasm", &["name"]).is_err());
        assert!(without_custom(&wasm[..wasm.len() - 1], &["name"]).is_err(), "truncated");
    }
}
