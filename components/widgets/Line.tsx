/** One terminal line: one <Text>, cut to the width, coloured by tone. Keeps renders cheap. */
import { memo } from 'react';
import { Text } from 'ink';
import { clip } from '../format.js';
import { useTheme, type Tone } from '../theme.js';

export interface LineProps {
  text: string;
  width: number;
  tone?: Tone | undefined;
  bold?: boolean;
  inverse?: boolean;
}

export const Line = memo(function Line({ text, width, tone, bold, inverse }: LineProps) {
  const theme = useTheme();
  return (
    <Text wrap="truncate" color={theme.tone(tone)} bold={bold} inverse={inverse && theme.color}>
      {clip(text, width) || ' '}
    </Text>
  );
});

