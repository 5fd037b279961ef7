// Print what podcast-partytime (an independent parser, as podcast apps use) reads in a feed,
// as JSON: its parseFeed result, and the podcast:txt elements as its own XML parser reads
// them (parseFeed 5.0.0 drops a podcast:txt whose text is "true": its XML parser turns the
// text into a boolean, which its txt phase does not take as text).
const fs = require("fs");
const { parseFeed } = require("podcast-partytime");
const { parse } = require("podcast-partytime/dist/parser/xml-parser");

const xml = fs.readFileSync(process.argv[2], "utf8");
const feed = parseFeed(xml, { allowMissingGuid: false });
const channel = parse(xml.trim()).rss.channel;
const list = (node) => (node === undefined ? [] : Array.isArray(node) ? node : [node]);
const txt = (node) => list(node).map((n) => ({ purpose: n.attr ? n.attr["@_purpose"] : n["@_purpose"], value: String(n["#text"]) }));
const raw = {
  channelTxt: txt(channel["podcast:txt"]),
  itemTxt: list(channel.item).map((item) => txt(item["podcast:txt"])),
};
process.stdout.write(JSON.stringify({ feed, raw }));
