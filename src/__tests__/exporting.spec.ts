import { RECORD_FIELDS } from '../model/keys';
import {
  csvField,
  EXPORT_FIELDS,
  exportBasePath,
  STATEMENT_EXPORT_FIELDS,
  toCSV,
  toJSON,
  toStatementsCSV
} from '../timeline/exporting';
import kernelFixture from './fixtures/kernel.json';
import { record } from './fixtures';

describe('csvField', () => {
  it('quotes commas, quotes and line breaks, and doubles quotes', () => {
    expect(csvField('a = 1')).toBe('a = 1');
    expect(csvField('f(a, b)')).toBe('"f(a, b)"');
    expect(csvField('print("hi")')).toBe('"print(""hi"")"');
    expect(csvField('x = 1\ny = 2')).toBe('"x = 1\ny = 2"');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
    expect(csvField(null)).toBe('');
    expect(csvField(0)).toBe('0');
  });
});

describe('csvField and formulas', () => {
  it("puts a ' before a string a spreadsheet would read as a formula", () => {
    expect(csvField('@njit')).toBe("'@njit");
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('\rx')).toBe('"\'\rx"');
    expect(csvField('x = 1 + 2')).toBe('x = 1 + 2');
  });

  it('writes numbers as they are, negative ones included', () => {
    expect(csvField(-1234)).toBe('-1234');
    expect(csvField(1.5)).toBe('1.5');
  });
});

/** Lists and objects are left to the JSON; the statements have a file of their own. */
const STRUCTURED = ['statements', 'line_profile', 'heap_top'];

const LINE_PROFILE = {
  error: null,
  backend: 'settrace',
  events: 11,
  duration: 0.013,
  overhead: 0.0005,
  lines_left_out: 0,
  cells: [{ execution_count: 3, cell_id: 'c1', lines: [{ line: 1, hits: 1, delta: 8e7, peak_increment: 8e7, duration: 0.01 }] }]
};

const HEAP_TOP = [
  { file: '/numpy/core/numeric.py', line: 232, size: 8e8, count: 1, estimated: false, execution_count: null, cell_id: null }
];

describe('toCSV', () => {
  it('has a column for every field of the API records, recorded from a real server', () => {
    const header = toCSV([]).split('\r\n')[0].split(',');
    for (const record of kernelFixture.executions) {
      // Lists and objects are left to the JSON; the statements have a file of their own.
      for (const key of Object.keys(record).filter(k => !STRUCTURED.includes(k))) {
        expect(header).toContain(key);
      }
    }
    expect(EXPORT_FIELDS).toEqual(RECORD_FIELDS.filter(f => !STRUCTURED.includes(f)));
    for (const field of STRUCTURED) {
      expect(header).not.toContain(field);
    }
    for (const field of ['died_reason', 'heap_delta', 'heap_peak_increment', 'oom_kills']) {
      expect(header).toContain(field);
    }
  });

  it('guards the source and the other strings against formulas', () => {
    const csv = toCSV([
      { record: record({ cell_id: '=c1', method: '+m', delta: -5 }), source: '@njit\ndef f(): pass' }
    ]);
    const fields = parseCSVRow(csv.split('\r\n')[1]);
    expect(fields[EXPORT_FIELDS.indexOf('cell_id')]).toBe("'=c1");
    expect(fields[EXPORT_FIELDS.indexOf('method')]).toBe("'+m");
    expect(fields[EXPORT_FIELDS.indexOf('delta')]).toBe('-5');
    expect(fields[fields.length - 1]).toBe("'@njit\ndef f(): pass");
  });

  it('writes the API fields then the source, one record per row', () => {
    const source = 'df = pd.read_csv("a,b.csv")\nprint(df)';
    const csv = toCSV([{ record: record({ delta: -5, exit_signal: null }), source }]);
    const [header, row, end] = csv.split('\r\n');
    expect(header).toBe([...EXPORT_FIELDS, 'source'].join(','));
    expect(end).toBe('');
    // The row parses back to the same values (a minimal RFC 4180 reader).
    const fields = parseCSVRow(row);
    expect(fields).toHaveLength(EXPORT_FIELDS.length + 1);
    expect(fields[EXPORT_FIELDS.indexOf('delta')]).toBe('-5');
    expect(fields[EXPORT_FIELDS.indexOf('exit_signal')]).toBe('');
    expect(fields[fields.length - 1]).toBe(source);
  });
});

const STATEMENTS = [
  { line: 1, end_line: 1, delta: 8e8, peak_increment: 8e8, duration: 0.18, rss_end: 9e8 },
  { line: 2, end_line: 3, delta: -8e8, peak_increment: null, duration: 0.5, rss_end: 1e8 },
  { line: null, end_line: null, aggregated: 12, delta: 4096, peak_increment: 8192, duration: 0.01, rss_end: 1e8 }
];

describe('toStatementsCSV', () => {
  it('writes one row per statement, with its record and its place in the list', () => {
    const csv = toStatementsCSV([
      { record: record({ msg_id: 'm1', cell_id: 'c1', execution_count: 3, statements: STATEMENTS }), source: 'x' },
      { record: record({ msg_id: 'm2', statements: null }), source: null },
      { record: record({ msg_id: 'm3' }), source: null }
    ]);
    const [header, ...rows] = csv.split('\r\n');
    expect(header).toBe(
      'msg_id,cell_id,execution_count,index,line,end_line,aggregated,delta,peak_increment,duration,rss_end'
    );
    expect(header.split(',')).toEqual([...STATEMENT_EXPORT_FIELDS]);
    expect(rows).toEqual([
      'm1,c1,3,0,1,1,,800000000,800000000,0.18,900000000',
      'm1,c1,3,1,2,3,,-800000000,,0.5,100000000',
      'm1,c1,3,2,,,12,4096,8192,0.01,100000000',
      ''
    ]);
  });

  it('guards the strings against formulas, as the records file does', () => {
    const csv = toStatementsCSV([
      { record: record({ msg_id: '=cmd', cell_id: '@c', statements: STATEMENTS.slice(0, 1) }), source: null }
    ]);
    expect(parseCSVRow(csv.split('\r\n')[1]).slice(0, 2)).toEqual(["'=cmd", "'@c"]);
  });

  it('is its header alone without statements', () => {
    expect(toStatementsCSV([]).split('\r\n')).toHaveLength(2);
  });
});

describe('exportBasePath', () => {
  it('puts the export next to the notebook', () => {
    expect(exportBasePath('work/analysis.ipynb')).toBe('work/analysis.memory-usage');
    expect(exportBasePath('a.b.ipynb')).toBe('a.b.memory-usage');
  });
});

describe('toJSON', () => {
  it('keeps every field with its type and adds the source', () => {
    const [parsed] = JSON.parse(toJSON([{ record: record({ delta: 8e8 }), source: 'a = 1' }]));
    expect(parsed.delta).toBe(8e8);
    expect(parsed.source).toBe('a = 1');
    expect(parsed.exit_code).toBeNull();
    // Without statements measured, the list is null; so are a profile and heap sites.
    expect(parsed.statements).toBeNull();
    expect(parsed.line_profile).toBeNull();
    expect(parsed.heap_top).toBeNull();
  });

  it('keeps a line profile and the heap sites as the server sent them', () => {
    const row = { record: record({ line_profile: LINE_PROFILE, heap_top: HEAP_TOP }), source: 'a' };
    const [parsed] = JSON.parse(toJSON([row]));
    expect(parsed.line_profile).toEqual(LINE_PROFILE);
    expect(parsed.heap_top).toEqual(HEAP_TOP);
    // The CSV has neither.
    expect(toCSV([row])).not.toContain('numeric.py');
  });

  it('keeps the statements as the list the server sent', () => {
    const [parsed] = JSON.parse(toJSON([{ record: record({ statements: STATEMENTS }), source: 'a' }]));
    expect(parsed.statements).toEqual(STATEMENTS);
  });
});

function parseCSVRow(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let value = '';
      i++;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else {
          value += text[i++];
        }
      }
      fields.push(value);
      i++; // the comma
    } else {
      const end = text.indexOf(',', i);
      const stop = end < 0 ? text.length : end;
      fields.push(text.slice(i, stop));
      i = stop + 1;
    }
  }
  return fields;
}
