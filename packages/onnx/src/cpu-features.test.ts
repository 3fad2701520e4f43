import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { int8KernelInfo, parseCpuinfo, readCpuFeatures, type CpuFeatures } from './cpu-features';

// Real /proc/cpuinfo text (first processors): an AMD EPYC 7302P (Zen 2: AVX2, no AVX-512, no VNNI) and the
// Intel Xeon this repository's tests were written on (avx512_vnni, avx_vnni, amx_int8).
const samples = fileURLToPath(new URL('./__fixtures__/cpuinfo/', import.meta.url));
const amdPath = join(samples, 'amd-epyc-avx2.txt');
const intelPath = join(samples, 'intel-xeon-vnni.txt');

const features = (flags: string[] | null, arch = 'x64'): CpuFeatures => ({ arch, model: 'injected', flags: flags && new Set(flags), source: 'injected' });

describe('parseCpuinfo', () => {
  it('an AMD EPYC with AVX2: model name and flags of the first processor, no VNNI', () => {
    const { model, flags } = parseCpuinfo(readFileSync(amdPath, 'utf8'));
    expect(model).toBe('AMD EPYC 7302P 16-Core Processor');
    expect(flags!.has('avx2')).toBe(true);
    expect(flags!.has('sse4_2')).toBe(true);
    expect([...flags!].filter((f) => f.includes('vnni') || f.startsWith('avx512') || f.startsWith('amx'))).toEqual([]);
  });

  it('an Intel Xeon with VNNI: avx512_vnni, avx_vnni and amx_int8; only the first processor is read', () => {
    const text = readFileSync(intelPath, 'utf8');
    expect(text.match(/^processor\s*:/gm)!.length).toBe(2);
    const { model, flags } = parseCpuinfo(text);
    expect(model).toBe('Intel(R) Xeon(R) Processor');
    for (const flag of ['avx2', 'avx512bw', 'avx512_vnni', 'avx_vnni', 'amx_int8']) expect(flags!.has(flag), flag).toBe(true);
  });

  it('arm64 text: Features are the flags; text without flags gives null', () => {
    const arm = 'processor\t: 0\nBogoMIPS\t: 243.75\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics asimddp\nCPU implementer\t: 0x41\n\nprocessor\t: 1\n';
    expect(parseCpuinfo(arm)).toEqual({ model: null, flags: new Set(['fp', 'asimd', 'evtstrm', 'aes', 'pmull', 'sha1', 'sha2', 'crc32', 'atomics', 'asimddp']) });
    expect(parseCpuinfo('processor\t: 0\nmodel name\t: Something\n')).toEqual({ model: 'Something', flags: null });
  });
});

describe('readCpuFeatures', () => {
  it('reads flags from a cpuinfo file, or falls back to the os (model only, flags unknown)', () => {
    const amd = readCpuFeatures({ cpuinfoPath: amdPath, arch: 'x64' });
    expect(amd).toMatchObject({ arch: 'x64', model: 'AMD EPYC 7302P 16-Core Processor', source: '/proc/cpuinfo' });
    expect(amd.flags!.has('avx2')).toBe(true);
    const none = readCpuFeatures({ cpuinfoPath: join(samples, 'no-such-file'), arch: 'x64' });
    expect(none).toMatchObject({ arch: 'x64', flags: null, source: 'os' });
  });
});

describe('int8KernelInfo: both branches by injected feature sets', () => {
  it('x86 without VNNI (the AMD EPYC sample; AVX-512 without VNNI too): u8s8 saturates in int16 pairs', () => {
    expect(int8KernelInfo(readCpuFeatures({ cpuinfoPath: amdPath, arch: 'x64' }))).toMatchObject({ cpuClass: 'x86-no-vnni', u8s8: 'int16-pair-saturating', reason: expect.stringMatching(/^AVX2 without VNNI/) });
    expect(int8KernelInfo(features(['avx2', 'avx512f', 'avx512bw']))).toMatchObject({ cpuClass: 'x86-no-vnni', u8s8: 'int16-pair-saturating', reason: expect.stringMatching(/^AVX-512 without VNNI/) });
  });

  it('x86 with any of avx512_vnni, avx_vnni, amx_int8 (the Intel sample has all three): exact', () => {
    expect(int8KernelInfo(readCpuFeatures({ cpuinfoPath: intelPath, arch: 'x64' }))).toMatchObject({ cpuClass: 'x86-vnni', u8s8: 'exact', reason: expect.stringMatching(/^avx512_vnni, avx_vnni, amx_int8/) });
    for (const flag of ['avx512_vnni', 'avx_vnni', 'amx_int8']) expect(int8KernelInfo(features(['avx2', flag])).u8s8, flag).toBe('exact');
  });

  it('arm64 is exact whatever its flags; unknown x86 flags count as saturating (the safe side)', () => {
    expect(int8KernelInfo(features(null, 'arm64'))).toMatchObject({ cpuClass: 'arm64', u8s8: 'exact' });
    expect(int8KernelInfo(features(null, 'x64'))).toMatchObject({ cpuClass: 'unknown', u8s8: 'int16-pair-saturating', reason: expect.stringContaining('flags unknown') });
  });
});
