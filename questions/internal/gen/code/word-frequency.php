<?php

$k = (int) trim(fgets(STDIN));
$text = stream_get_contents(STDIN);
// TODO: count the words of $text (runs of letters, ignoring case) in $counts
// and print the $k most frequent ones, one "word count" per line.
$counts = [];
foreach (array_slice($counts, 0, $k, true) as $word => $count) {
    echo "$word $count\n";
}
