/** One terminal line: one <Text> of exactly the width (cut or padded, in cells), coloured by tone. Keeps renders cheap. */
import { memo } from 'react';
import { Text } from 'ink';
import { fit } from '../format.js';
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
      {fit(text, width) || ' '}
    </Text>
  );
});

