import { csvField, EXPORT_FIELDS, toCSV, toJSON } from '../timeline/exporting';
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

describe('toCSV', () => {
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

describe('toJSON', () => {
  it('keeps every field with its type and adds the source', () => {
    const [parsed] = JSON.parse(toJSON([{ record: record({ delta: 8e8 }), source: 'a = 1' }]));
    expect(parsed.delta).toBe(8e8);
    expect(parsed.source).toBe('a = 1');
    expect(parsed.exit_code).toBeNull();
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
