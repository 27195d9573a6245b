//! The capture file: pcap, or pcapng with a comment on each packet naming the syscall
//! that caused it (Wireshark shows it as `frame.comment`).

#![forbid(unsafe_code)]

use crate::error::Failure;
use pcap_file::pcap::{PcapPacket, PcapWriter};
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;
use std::borrow::Cow;
use std::fs::File;
use std::path::Path;
use std::time::Duration;

/// The file format: classic pcap, or pcapng when the name ends in `.pcapng` (which
/// can carry a comment per packet: Wireshark shows it as a packet comment).
pub(super) enum Writer {
    Pcap(PcapWriter<File>),
    PcapNg(PcapNgWriter<File>),
}

impl Writer {
    /// Creates the file at `path`: pcapng when its name ends in `.pcapng`, else pcap.
    pub(super) fn create(path: &Path) -> Result<Writer, Failure> {
        let file_error = |detail: String| Failure::CaptureFile {
            path: path.display().to_string(),
            detail,
        };
        let file = File::create(path).map_err(|e| file_error(e.to_string()))?;
        if path.extension().is_none_or(|ext| ext != "pcapng") {
            return Ok(Writer::Pcap(
                PcapWriter::new(file).map_err(|e| file_error(e.to_string()))?,
            ));
        }
        let mut ng = PcapNgWriter::new(file).map_err(|e| file_error(e.to_string()))?;
        // Timestamps are written in nanoseconds: say so (if_tsresol = 10^-9).
        let interface = InterfaceDescriptionBlock {
            linktype: DataLink::ETHERNET,
            snaplen: 0,
            options: vec![
                InterfaceDescriptionOption::IfTsResol(9),
                InterfaceDescriptionOption::IfName(Cow::Borrowed("any")),
            ],
        };
        ng.write_pcapng_block(interface)
            .map_err(|e| file_error(e.to_string()))?;
        Ok(Writer::PcapNg(ng))
    }

    /// Whether a packet can carry a comment (pcapng).
    pub(super) fn takes_comments(&self) -> bool {
        matches!(self, Writer::PcapNg(_))
    }

    /// Writes one frame (`original_len`: its size on the wire), with `comment` when the
    /// format takes one. A failed write loses that frame only: the lab goes on.
    pub(super) fn write(
        &mut self,
        stamp: Duration,
        original_len: u32,
        frame: &[u8],
        comment: Option<String>,
    ) {
        match self {
            Writer::Pcap(w) => {
                let _ = w.write_packet(&PcapPacket::new(stamp, original_len, frame));
            }
            Writer::PcapNg(w) => {
                let block = EnhancedPacketBlock {
                    interface_id: 0,
                    timestamp: stamp,
                    original_len,
                    data: Cow::Borrowed(frame),
                    options: comment
                        .map(|c| vec![EnhancedPacketOption::Comment(Cow::Owned(c))])
                        .unwrap_or_default(),
                };
                let _ = w.write_pcapng_block(block);
            }
        }
    }
}
