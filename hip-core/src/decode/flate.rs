//! flate2 plumbing shared by `gzip` and `deflate`.

pub(super) fn inflate_step(
    inflate: &mut flate2::Decompress,
    input: &[u8],
    out: &mut [u8],
) -> Result<(usize, usize, bool), flate2::DecompressError> {
    let (in_before, out_before) = (inflate.total_in(), inflate.total_out());
    let status = inflate.decompress(input, out, flate2::FlushDecompress::None)?;
    let consumed = usize::try_from(inflate.total_in() - in_before).unwrap_or(input.len());
    let written = usize::try_from(inflate.total_out() - out_before).unwrap_or(out.len());
    Ok((
        consumed.min(input.len()),
        written.min(out.len()),
        status == flate2::Status::StreamEnd,
    ))
}
