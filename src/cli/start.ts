/** `netproof start`: until the bot lands, says what runs today. */
export async function runStart(): Promise<void> {
  process.stdout.write([
    'netproof: the Teams bot is not built yet.',
    'What runs today:',
    '  netproof capture FILE [--json]   analyse a Wireshark JSON/EK, pcap or pcapng capture',
    '',
  ].join('\n'));
}
