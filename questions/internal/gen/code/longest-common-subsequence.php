<?php

[$a, $b] = preg_split('/\s+/', trim(stream_get_contents(STDIN)));
// TODO: compute the length of the longest common subsequence of $a and $b.
$answer = 0;
echo $answer, "\n";
