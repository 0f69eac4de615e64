import { createJsonCodec } from '../../src/index.js';
import { runCodecConformance } from '../conformance/codec-conformance.js';

runCodecConformance('json', () => createJsonCodec());
runCodecConformance('json with kombu 5.3 type markers', () => createJsonCodec({ typeMarkers: true }));
